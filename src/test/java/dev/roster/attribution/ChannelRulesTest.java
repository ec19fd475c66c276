package dev.roster.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every row of the channel table (SPEC §5), in order, and the search-engine and social lists. */
class ChannelRulesTest {
    private static Channel classify(String medium, String referrer, boolean clickId) {
        return ChannelRules.classify(new ChannelRules.Touch(Optional.ofNullable(medium), Optional.ofNullable(referrer), clickId));
    }

    @ParameterizedTest(name = "utm_medium={0} is Paid")
    @CsvSource({"cpc", "ppc", "paid", "paidsearch", "display", "cpm", "banner", "affiliate", "CPC", " cpc "})
    void rule1PaidMediums(String medium) {
        assertThat(classify(medium, "https://www.facebook.com/", false)).isEqualTo(Channel.PAID);
    }

    @Test
    void rule2Email() {
        assertThat(classify("email", "https://www.google.com/", false)).isEqualTo(Channel.EMAIL);
        assertThat(classify("Email", null, false)).isEqualTo(Channel.EMAIL);
    }

    @Test
    void rule3SocialMediums() {
        assertThat(classify("social", "https://www.google.com/", false)).isEqualTo(Channel.SOCIAL);
        assertThat(classify("social-paid", null, false)).isEqualTo(Channel.SOCIAL);
        assertThat(classify("socialmedia", null, false)).as("only social or social-…").isEqualTo(Channel.DIRECT);
    }

    @Test
    void rule4OrganicMedium() {
        assertThat(classify("organic", "https://t.co/abc", false)).isEqualTo(Channel.ORGANIC_SEARCH);
    }

    @Test
    void rule5ClickIdsArePaidEvenFromASearchEngine() {
        assertThat(classify(null, "https://www.google.com/", true)).isEqualTo(Channel.PAID);
        assertThat(classify("newsletter", null, true)).as("an unknown medium falls through").isEqualTo(Channel.PAID);
    }

    @Test
    void mediumRulesWinOverClickIds() {
        assertThat(classify("email", null, true)).isEqualTo(Channel.EMAIL);
    }

    @ParameterizedTest(name = "{0} is a search engine")
    @CsvSource({
        "https://www.google.com/", "https://www.google.co.uk/search?q=x", "https://google.de", "https://news.google.com/",
        "https://www.bing.com/search?q=x", "https://search.yahoo.com/", "https://duckduckgo.com/", "https://www.baidu.com/",
        "https://yandex.ru/", "https://yandex.com/", "https://www.ecosia.org/", "https://www.ask.com/", "https://search.aol.com/",
        "https://search.naver.com/", "https://www.seznam.cz/", "https://www.qwant.com/", "https://www.startpage.com/",
        "https://search.brave.com/", "https://www.sogou.com/"})
    void rule6SearchEngines(String referrer) {
        assertThat(classify(null, referrer, false)).isEqualTo(Channel.ORGANIC_SEARCH);
    }

    @ParameterizedTest(name = "{0} is a social network")
    @CsvSource({
        "https://www.facebook.com/", "https://m.facebook.com/", "https://l.facebook.com/", "https://fb.com/x",
        "https://www.instagram.com/", "https://twitter.com/", "https://t.co/abc", "https://x.com/", "https://www.linkedin.com/",
        "https://lnkd.in/x", "https://www.reddit.com/r/x", "https://old.reddit.com/", "https://www.pinterest.com/",
        "https://www.youtube.com/", "https://www.tiktok.com/", "https://news.ycombinator.com/", "https://mastodon.social/",
        "https://www.threads.net/", "https://vk.com/", "https://weibo.com/", "https://www.quora.com/", "https://www.tumblr.com/",
        "https://www.snapchat.com/", "https://web.whatsapp.com/", "https://telegram.org/"})
    void rule7SocialNetworks(String referrer) {
        assertThat(classify(null, referrer, false)).isEqualTo(Channel.SOCIAL);
    }

    @Test
    void rule8AnyOtherReferrerIsReferral() {
        assertThat(classify(null, "https://blog.example.org/post", false)).isEqualTo(Channel.REFERRAL);
        assertThat(classify(null, "https://notgoogle.com/", false)).isEqualTo(Channel.REFERRAL);
        assertThat(classify(null, "https://ycombinator.com/", false)).as("only the listed host and its subdomains").isEqualTo(Channel.REFERRAL);
        assertThat(classify(null, "partner.example.com/page", false)).as("a referrer without scheme").isEqualTo(Channel.REFERRAL);
    }

    @Test
    void rule9NoReferrerIsDirect() {
        assertThat(classify(null, null, false)).isEqualTo(Channel.DIRECT);
        assertThat(classify(null, "", false)).isEqualTo(Channel.DIRECT);
        assertThat(classify(null, "$direct", false)).as("PostHog's marker for no referrer").isEqualTo(Channel.DIRECT);
        assertThat(classify("", "  ", false)).isEqualTo(Channel.DIRECT);
    }

    @Test
    void referringDomainDropsWwwAndLowercases() {
        assertThat(ChannelRules.referringDomain(Optional.of("https://WWW.Example.COM/a?b=c"))).contains("example.com");
        assertThat(ChannelRules.referringDomain(Optional.of("not a url at all"))).isEmpty();
    }
}
