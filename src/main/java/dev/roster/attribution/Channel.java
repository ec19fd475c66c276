package dev.roster.attribution;

/** Acquisition channels (SPEC §5). */
public enum Channel {
    PAID("Paid"),
    EMAIL("Email"),
    SOCIAL("Social"),
    ORGANIC_SEARCH("Organic Search"),
    REFERRAL("Referral"),
    DIRECT("Direct");

    private final String label;

    Channel(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
