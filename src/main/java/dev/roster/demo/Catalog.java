package dev.roster.demo;

import java.util.SplittableRandom;

/**
 * The fixed content of the demo company's world: a B2B analytics SaaS ("Larkspur") with a marketing
 * site, a blog, an app, three monthly plans, and the names its customers have.
 */
final class Catalog {
    static final String SITE = "https://www.larkspur.example";

    /** A page of the marketing site or app, with its title; {@code weight} picks the next page. */
    record Page(String path, String url, String title, int weight) {
        Page(String path, String title, int weight) {
            this(path, SITE + path, title, weight);
        }
    }

    /** A content asset on the blog. */
    record Article(String slug, String title, String category, Page page) {
        Article(String slug, String title, String category) {
            this(slug, title, category, new Page("/blog/" + slug, title + " | Larkspur Blog", 1));
        }
    }

    /** A monthly plan. */
    record Plan(String name, int monthlyPrice) {
    }

    static final Page HOME = new Page("/", "Larkspur: know every customer", 15);
    static final Page PRICING = new Page("/pricing", "Pricing | Larkspur", 25);
    static final Page FEATURES = new Page("/features", "Features | Larkspur", 25);
    static final Page SIGNUP = new Page("/signup", "Start your free trial | Larkspur", 0);
    static final Page CHECKOUT = new Page("/app/billing/checkout", "Checkout | Larkspur", 0);

    /** Marketing pages a visitor navigates between, by weight. */
    static final Page[] MARKETING = {
        HOME, PRICING, FEATURES,
        new Page("/customers", "Customer stories | Larkspur", 10),
        new Page("/integrations", "Integrations | Larkspur", 10),
        new Page("/docs/getting-started", "Getting started | Larkspur Docs", 10),
        new Page("/about", "About us | Larkspur", 5),
    };

    /** Pages inside the product. */
    static final Page[] APP = {
        new Page("/app/dashboard", "Dashboard | Larkspur", 40),
        new Page("/app/reports", "Reports | Larkspur", 25),
        new Page("/app/people", "People | Larkspur", 20),
        new Page("/app/funnels", "Funnels | Larkspur", 10),
        new Page("/app/settings", "Settings | Larkspur", 5),
    };

    static final Article[] ARTICLES = {
        new Article("what-is-cohort-analysis", "What is cohort analysis?", "guides"),
        new Article("funnel-metrics-that-matter", "Funnel metrics that matter", "guides"),
        new Article("ltv-for-saas", "How to compute LTV for a SaaS business", "guides"),
        new Article("utm-parameters-explained", "UTM parameters, explained", "marketing"),
        new Article("first-touch-vs-last-touch", "First touch vs last touch attribution", "marketing"),
        new Article("reduce-churn-with-onboarding", "Reduce churn with better onboarding", "growth"),
        new Article("activation-metric", "Finding your activation metric", "growth"),
        new Article("identity-resolution", "Identity resolution across devices", "engineering"),
        new Article("event-naming-conventions", "Event naming conventions", "engineering"),
        new Article("product-led-growth-playbook", "The product-led growth playbook", "growth"),
        new Article("pricing-page-teardown", "Pricing page teardown", "marketing"),
        new Article("retention-curves", "Reading retention curves", "guides"),
        new Article("customer-story-fieldnote", "How Fieldnote doubled trial conversion", "customers"),
        new Article("self-hosted-analytics", "Why self-hosted analytics", "engineering"),
        new Article("segment-migration", "Migrating from Segment in an afternoon", "engineering"),
        new Article("weekly-active-users", "Weekly active users is not enough", "guides"),
    };

    static final Plan STARTER = new Plan("starter", 29);
    static final Plan PRO = new Plan("pro", 99);
    static final Plan BUSINESS = new Plan("business", 299);

    static final String[] FIRST_NAMES = {
        "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Liam", "Maya",
        "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zoe",
        "Amara", "Bruno", "Carmen", "Diego", "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Julia", "Kwame", "Lena",
    };
    static final String[] LAST_NAMES = {
        "Smith", "Garcia", "Müller", "Okafor", "Tanaka", "Rossi", "Novak", "Silva", "Kim", "Nguyen", "Cohen",
        "Johansson", "Dubois", "Kowalski", "Haddad", "Patel", "O'Brien", "Fischer", "Moreau", "Lopez", "Singh",
        "Andersen", "Costa", "Yilmaz", "Schmidt", "Ivanova", "Mensah", "Park", "Wright", "Alvarez",
    };
    static final String[] COMPANY_WORDS = {
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Pied Piper", "Vandelay", "Soylent",
        "Tyrell", "Cyberdyne", "Aperture", "Black Mesa", "Wonka", "Gringotts", "Oscorp", "Dunder", "Sterling",
        "Fieldnote", "Bluebird", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Lumen", "Quartz", "Kestrel",
    };
    static final String[] COMPANY_SUFFIXES = {"Inc", "Labs", "GmbH", "Ltd", "Co", "Analytics", "Software", "Group"};
    static final String[] SUPPORT_TOPICS = {"billing", "integration", "data import", "bug report", "feature request", "login"};
    static final String[] SALES_AGENTS = {"dana@larkspur.example", "marco@larkspur.example", "sofia@larkspur.example"};
    static final String[] CANCEL_REASONS = {"too expensive", "missing feature", "switched tool", "project ended", "no longer needed"};

    private static final int MARKETING_WEIGHT = totalWeight(MARKETING);
    private static final int APP_WEIGHT = totalWeight(APP);

    private Catalog() {
    }

    static Page marketingPage(SplittableRandom random) {
        return pick(MARKETING, MARKETING_WEIGHT, random);
    }

    static Page appPage(SplittableRandom random) {
        return pick(APP, APP_WEIGHT, random);
    }

    static Article article(SplittableRandom random) {
        return ARTICLES[random.nextInt(ARTICLES.length)];
    }

    static <T> T any(T[] values, SplittableRandom random) {
        return values[random.nextInt(values.length)];
    }

    private static Page pick(Page[] pages, int total, SplittableRandom random) {
        int target = random.nextInt(total);
        for (Page page : pages) {
            target -= page.weight();
            if (target < 0) {
                return page;
            }
        }
        return pages[pages.length - 1];
    }

    private static int totalWeight(Page[] pages) {
        int total = 0;
        for (Page page : pages) {
            total += page.weight();
        }
        return total;
    }
}
