package dev.roster.attribution;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The channel of a first touch (SPEC §5), as one ordered table: the first rule that matches wins.
 * The lists of search engines and social networks are matched against the referring domain and
 * its parent domains.
 */
public final class ChannelRules {
    static final Set<String> PAID_MEDIUMS = Set.of("cpc", "ppc", "paid", "paidsearch", "display", "cpm", "banner", "affiliate");
    static final Set<String> SEARCH_ENGINES = Set.of(
            "google", "bing.com", "yahoo.com", "duckduckgo.com", "baidu.com", "yandex.ru", "yandex.com", "ecosia.org",
            "ask.com", "aol.com", "naver.com", "seznam.cz", "qwant.com", "startpage.com", "search.brave.com", "sogou.com");
    static final Set<String> SOCIAL_NETWORKS = Set.of(
            "facebook.com", "fb.com", "instagram.com", "twitter.com", "t.co", "x.com", "linkedin.com", "lnkd.in",
            "reddit.com", "pinterest.com", "youtube.com", "tiktok.com", "news.ycombinator.com", "mastodon.social",
            "threads.net", "vk.com", "weibo.com", "quora.com", "tumblr.com", "snapchat.com", "whatsapp.com", "telegram.org");

    /** What a first touch carries. Absent fields are empty strings or empty optionals. */
    public record Touch(Optional<String> utmMedium, Optional<String> referrer, boolean hasClickId) {
    }

    private record Rule(Channel channel, Predicate<Touch> matches) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Channel.PAID, t -> medium(t).filter(PAID_MEDIUMS::contains).isPresent()),
            new Rule(Channel.EMAIL, t -> medium(t).filter("email"::equals).isPresent()),
            new Rule(Channel.SOCIAL, t -> medium(t).filter(m -> m.equals("social") || m.startsWith("social-")).isPresent()),
            new Rule(Channel.ORGANIC_SEARCH, t -> medium(t).filter("organic"::equals).isPresent()),
            new Rule(Channel.PAID, Touch::hasClickId),
            new Rule(Channel.ORGANIC_SEARCH, t -> referringDomain(t.referrer()).filter(ChannelRules::isSearchEngine).isPresent()),
            new Rule(Channel.SOCIAL, t -> referringDomain(t.referrer()).filter(ChannelRules::isSocialNetwork).isPresent()),
            new Rule(Channel.REFERRAL, t -> referringDomain(t.referrer()).isPresent()),
            new Rule(Channel.DIRECT, t -> true));

    private ChannelRules() {
    }

    /** The paid utm_medium values (lower case), for SQL versions of these rules. */
    public static Set<String> paidMediums() {
        return PAID_MEDIUMS;
    }

    /** The search-engine domains (plus any google.* domain), for SQL versions of these rules. */
    public static Set<String> searchEngines() {
        return SEARCH_ENGINES;
    }

    /** The social-network domains, for SQL versions of these rules. */
    public static Set<String> socialNetworks() {
        return SOCIAL_NETWORKS;
    }

    public static Channel classify(Touch touch) {
        for (Rule rule : RULES) {
            if (rule.matches().test(touch)) {
                return rule.channel();
            }
        }
        return Channel.DIRECT;
    }

    private static Optional<String> medium(Touch touch) {
        return touch.utmMedium().map(m -> m.trim().toLowerCase(Locale.ROOT)).filter(m -> !m.isEmpty());
    }

    /** The host of a referrer URL without "www.", lower case; empty when there is none. */
    public static Optional<String> referringDomain(Optional<String> referrer) {
        if (referrer.isEmpty() || referrer.get().isBlank() || referrer.get().equals("$direct")) {
            return Optional.empty();
        }
        String value = referrer.get().trim();
        try {
            String host = URI.create(value.contains("://") ? value : "https://" + value).getHost();
            if (host == null || host.isBlank()) {
                return Optional.empty();
            }
            host = host.toLowerCase(Locale.ROOT);
            return Optional.of(host.startsWith("www.") ? host.substring(4) : host);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static boolean isSearchEngine(String domain) {
        if (domain.matches("(.*\\.)?google(\\.[a-z]{2,3}){1,2}")) {
            return true;
        }
        return matchesDomain(domain, SEARCH_ENGINES);
    }

    static boolean isSocialNetwork(String domain) {
        return matchesDomain(domain, SOCIAL_NETWORKS);
    }

    private static boolean matchesDomain(String domain, Set<String> list) {
        String candidate = domain;
        while (true) {
            if (list.contains(candidate)) {
                return true;
            }
            int dot = candidate.indexOf('.');
            if (dot < 0) {
                return false;
            }
            candidate = candidate.substring(dot + 1);
        }
    }
}
