package dev.roster.demo;

import java.util.SplittableRandom;

/**
 * Where a demo visitor first comes from, with how often, how likely they are to sign up, how much
 * they read the blog, and which plan they tend to buy. The mix resembles a small B2B SaaS: a third
 * from search, a fifth direct, the rest from ads, social, partners and email.
 */
enum Source {
    //            weight  signup  content  starter/pro/business
    PAID_SEARCH(14, 0.30, 0.15, 50, 40, 10),
    DISPLAY(4, 0.14, 0.10, 60, 35, 5),
    EMAIL(7, 0.40, 0.50, 35, 50, 15),
    SOCIAL_CAMPAIGN(5, 0.20, 0.40, 55, 38, 7),
    ORGANIC_SEARCH(26, 0.30, 0.60, 40, 45, 15),
    SOCIAL(11, 0.18, 0.40, 55, 38, 7),
    REFERRAL(10, 0.38, 0.45, 25, 50, 25),
    DIRECT(23, 0.34, 0.25, 40, 42, 18);

    private static final Source[] VALUES = values();
    private static final int TOTAL_WEIGHT = java.util.Arrays.stream(VALUES).mapToInt(s -> s.weight).sum();

    private static final String[] SEARCH_TERMS = {"product analytics", "mixpanel alternative", "self hosted analytics",
        "cohort analysis tool", "customer analytics", "funnel analysis"};
    private static final String[] CAMPAIGNS_PAID = {"brand-search", "competitor-keywords", "analytics-software"};
    private static final String[] CAMPAIGNS_EMAIL = {"monthly-digest", "product-launch", "webinar-invite"};
    private static final String[] CAMPAIGNS_SOCIAL = {"spring-promo", "case-study-video", "launch-week"};
    private static final String[] SOCIAL_SOURCES = {"facebook", "linkedin", "twitter"};
    private static final String[] SOCIAL_REFERRERS = {
        "https://www.facebook.com/", "https://t.co/Xk3pLr2", "https://www.linkedin.com/feed/",
        "https://www.reddit.com/r/analytics/comments/1abc2d/best_self_hosted_analytics/", "https://lnkd.in/eQ7bZp",
    };
    private static final String[] REFERRAL_SITES = {
        "https://blog.growthnotes.example/posts/our-analytics-stack", "https://www.producthunt.com/products/larkspur",
        "https://www.g2.com/products/larkspur/reviews", "https://partners.brightagency.example/tools",
        "https://www.capterra.com/analytics-software/", "https://medium.com/@saasweekly/10-analytics-tools",
    };

    final int weight;
    final double signupRate;
    final double contentAffinity;
    private final int[] planWeights;

    Source(int weight, double signupRate, double contentAffinity, int starter, int pro, int business) {
        this.weight = weight;
        this.signupRate = signupRate;
        this.contentAffinity = contentAffinity;
        this.planWeights = new int[] {starter, pro, business};
    }

    static Source sample(SplittableRandom random) {
        int target = random.nextInt(TOTAL_WEIGHT);
        for (Source source : VALUES) {
            target -= source.weight;
            if (target < 0) {
                return source;
            }
        }
        return DIRECT;
    }

    Catalog.Plan plan(SplittableRandom random) {
        int target = random.nextInt(planWeights[0] + planWeights[1] + planWeights[2]);
        if (target < planWeights[0]) {
            return Catalog.STARTER;
        }
        return target < planWeights[0] + planWeights[1] ? Catalog.PRO : Catalog.BUSINESS;
    }

    /** The first touch: referrer, utm fields and landing page of the visitor's first page view. */
    Touch firstTouch(SplittableRandom random) {
        switch (this) {
            case PAID_SEARCH: {
                String term = Catalog.any(SEARCH_TERMS, random);
                Touch touch = new Touch(random.nextInt(4) == 0 ? Catalog.FEATURES : Catalog.PRICING,
                        "https://www.google.com/", "google", "cpc", Catalog.any(CAMPAIGNS_PAID, random), term, null);
                touch.gclid = "Cj0KCQ" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
                return touch;
            }
            case DISPLAY:
                return new Touch(Catalog.HOME, null, random.nextBoolean() ? "adroll" : "google-display", "display",
                        "retargeting", null, random.nextBoolean() ? "banner-300x250" : "banner-728x90");
            case EMAIL:
                return new Touch(random.nextInt(3) == 0 ? Catalog.FEATURES : articlePage(random), null, "newsletter",
                        "email", Catalog.any(CAMPAIGNS_EMAIL, random), null, null);
            case SOCIAL_CAMPAIGN: {
                String network = Catalog.any(SOCIAL_SOURCES, random);
                String referrer = network.equals("twitter") ? "https://t.co/aB9xZ1" : "https://www." + network + ".com/";
                return new Touch(Catalog.HOME, referrer, network, "social", Catalog.any(CAMPAIGNS_SOCIAL, random), null, null);
            }
            case ORGANIC_SEARCH: {
                int engine = random.nextInt(100);
                String referrer = engine < 80 ? "https://www.google.com/" : engine < 92 ? "https://www.bing.com/" : "https://duckduckgo.com/";
                return new Touch(random.nextInt(100) < 60 ? articlePage(random) : Catalog.HOME, referrer, null, null, null, null, null);
            }
            case SOCIAL:
                return new Touch(random.nextBoolean() ? articlePage(random) : Catalog.HOME,
                        Catalog.any(SOCIAL_REFERRERS, random), null, null, null, null, null);
            case REFERRAL:
                return new Touch(random.nextBoolean() ? Catalog.HOME : Catalog.PRICING,
                        Catalog.any(REFERRAL_SITES, random), null, null, null, null, null);
            default:
                return new Touch(Catalog.HOME, null, null, null, null, null, null);
        }
    }

    /** How a known visitor comes back: mostly direct, else search or the newsletter. */
    static Touch returnTouch(SplittableRandom random) {
        int roll = random.nextInt(100);
        if (roll < 60) {
            return new Touch(random.nextInt(3) == 0 ? Catalog.PRICING : Catalog.HOME, null, null, null, null, null, null);
        }
        if (roll < 85) {
            return new Touch(random.nextBoolean() ? articlePage(random) : Catalog.HOME, "https://www.google.com/",
                    null, null, null, null, null);
        }
        return new Touch(articlePage(random), null, "newsletter", "email", "monthly-digest", null, null);
    }

    private static Catalog.Page articlePage(SplittableRandom random) {
        return Catalog.article(random).page();
    }

    /** How a session starts: landing page, referrer and campaign fields (null when absent). */
    static final class Touch {
        final Catalog.Page landing;
        final String referrer;
        final String utmSource;
        final String utmMedium;
        final String utmCampaign;
        final String utmTerm;
        final String utmContent;
        String gclid;

        Touch(Catalog.Page landing, String referrer, String utmSource, String utmMedium, String utmCampaign,
              String utmTerm, String utmContent) {
            this.landing = landing;
            this.referrer = referrer;
            this.utmSource = utmSource;
            this.utmMedium = utmMedium;
            this.utmCampaign = utmCampaign;
            this.utmTerm = utmTerm;
            this.utmContent = utmContent;
        }

        /** The landing URL, with the campaign parameters as a browser would see them. */
        String landingUrl() {
            if (utmSource == null) {
                return landing.url();
            }
            StringBuilder url = new StringBuilder(landing.url()).append("?utm_source=").append(utmSource)
                    .append("&utm_medium=").append(utmMedium).append("&utm_campaign=").append(utmCampaign);
            if (utmTerm != null) {
                url.append("&utm_term=").append(utmTerm.replace(' ', '+'));
            }
            if (utmContent != null) {
                url.append("&utm_content=").append(utmContent);
            }
            if (gclid != null) {
                url.append("&gclid=").append(gclid);
            }
            return url.toString();
        }
    }
}
