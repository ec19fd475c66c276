package dev.roster.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.roster.ingest.Command;
import dev.roster.ingest.PropertyOperation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The life of one demo visitor (and, on a shared computer, of a colleague), written as the
 * {@link Command}s a Segment-instrumented site, its backend and a CRM import would send. Each story
 * has its own random stream seeded from (seed, index), so a story is the same whatever thread
 * writes it and in whatever order stories are written.
 *
 * <p>Not thread-safe: one story is written by one thread.
 */
final class PersonStory {
    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;
    static final long MONTH = 30 * DAY;
    static final long HISTORY = 365 * DAY;
    static final int TRIAL_DAYS = 14;

    /** Reads of content before the trial that mark a reader (the built-in effect). */
    static final int READER_THRESHOLD = 3;
    /** Trial to paid conversion, readers vs others. */
    static final double READER_CONVERSION = 0.55;
    static final double OTHER_CONVERSION = 0.35;
    /** Monthly churn of paying customers, readers vs others. */
    static final double READER_MONTHLY_CHURN = 0.07;
    static final double OTHER_MONTHLY_CHURN = 0.20;
    /** Percent of new payers refunded (and cancelled) within 10 days of their first payment. */
    static final int REFUND_PERCENT = 4;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int index;
    private final SplittableRandom random;
    private final long now;
    private final List<Entry> entries = new ArrayList<>(48);
    private int sequence;
    private int reads;
    private long time;

    /** One command with the time it happened, kept in creation order among equal times. */
    private record Entry(long at, int sequence, Command command) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::at).thenComparingInt(Entry::sequence);

    PersonStory(long seed, int index, long nowMillis) {
        this.index = index;
        this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 1);
        this.now = nowMillis;
    }

    /** Writes the story and appends its commands, in time order and none after now, to {@code out}. */
    int writeTo(List<Command> out) {
        write();
        entries.sort(ORDER);
        int added = 0;
        for (Entry entry : entries) {
            if (entry.at() <= now) {
                out.add(entry.command());
                added++;
            }
        }
        return added;
    }

    private void write() {
        // More visitors recently than a year ago: the density of arrivals grows over the year.
        long arrival = now - HISTORY + (long) (Math.pow(random.nextDouble(), 0.8) * (HISTORY - DAY));
        time = daytime(arrival);
        Source source = Source.sample(random);
        String desktop = uuid();
        boolean sharedComputer = index % 400 == 7 || index % 400 == 207;
        boolean signsUp = sharedComputer || random.nextDouble() < source.signupRate;
        int visits = Math.min(8, 1 + geometric(signsUp ? 0.45 : 0.65));
        boolean secondDevice = signsUp && random.nextDouble() < 0.25;
        String phoneDevice = secondDevice ? uuid() : null;

        for (int visit = 0; visit < visits; visit++) {
            Source.Touch touch = visit == 0 ? source.firstTouch(random) : Source.returnTouch(random);
            if (visit > 0) {
                time += gap();
            }
            browse(null, desktop, false, touch, source.contentAffinity);
            if (visit == 0 && index % 300 == 17) {
                // A buggy client sends the string "null" as user id: stored under the anonymous id, with a warning.
                track(time + 5_000, "null", desktop, true, "Viewed Pricing", session(time), props());
            }
        }
        if (secondDevice) {
            // The same person on their phone, from a social link, not yet known to be them.
            time += gap();
            browse(null, phoneDevice, true, new Source.Touch(Catalog.HOME, "https://t.co/m0b1le", null, null, null, null, null),
                    source.contentAffinity);
        }
        if (index % 700 == 42) {
            // A backend call with no real id at all: stored under the placeholder "undefined", never merged.
            track(time + HOUR, "undefined", null, true, "Contacted Support", null, props().put("topic", "login"));
        }
        if (!signsUp) {
            return;
        }
        time += gap();
        browse(null, desktop, false, Source.returnTouch(random), source.contentAffinity);
        String user = "user-" + index;
        Catalog.Plan plan = source.plan(random);
        signUp(user, desktop, plan, false);
        if (sharedComputer) {
            // A colleague signs up on the same computer later: the guard keeps them apart.
            long saved = time;
            time += DAY + random.nextLong(10 * DAY);
            signUp(user + "-b", desktop, Catalog.STARTER, true);
            browseApp(user + "-b", desktop, false, 2);
            time = saved;
        }
        if (random.nextDouble() >= 0.82) {
            return;
        }
        if (random.nextInt(4) == 0) {
            // Starts the trial days later, reading and comparing meanwhile.
            int sessions = 1 + random.nextInt(2);
            for (int i = 0; i < sessions; i++) {
                time += HOUR + random.nextLong(4 * DAY);
                browse(user, desktop, false, Source.returnTouch(random), source.contentAffinity);
            }
        }
        time += MINUTE + random.nextLong(4 * MINUTE);
        long trialStart = time;
        boolean reader = reads >= READER_THRESHOLD;
        track(trialStart, user, desktop, true, "Started Trial", session(trialStart),
                props().put("plan", plan.name()).put("trial_days", TRIAL_DAYS));
        if (secondDevice) {
            time = trialStart + HOUR + random.nextLong(10 * DAY);
            link(time, user, phoneDevice);
            browseApp(user, phoneDevice, true, 1 + random.nextInt(3));
        }
        String phone = null;
        if (random.nextDouble() < 0.35) {
            phone = String.format("+1-555-%03d-%04d", (index / 10_000) % 1000, index % 10_000);
            long call = trialStart + DAY + random.nextLong(5 * DAY);
            phoneCall(call, phone, "outbound");
            // The CRM import links the phone number to the user (an alias), an hour after the call.
            link(call + HOUR, user, phone);
            profile(call + HOUR, user, set("phone", phone));
        }
        long trialEnd = trialStart + TRIAL_DAYS * DAY;
        time = trialStart;
        int trialSessions = 2 + random.nextInt(4);
        for (int i = 0; i < trialSessions; i++) {
            time = trialStart + (long) ((i + random.nextDouble()) * (trialEnd - trialStart) / trialSessions);
            useApp(user, pickDevice(desktop, phoneDevice), phoneDevice != null && random.nextInt(3) == 0);
        }
        if (random.nextInt(5) == 0) {
            supportContact(trialStart + random.nextLong(TRIAL_DAYS * DAY), user);
        }
        boolean converts = random.nextDouble() < (reader ? READER_CONVERSION : OTHER_CONVERSION);
        if (!converts) {
            if (random.nextInt(10) < 3) {
                time = trialEnd + DAY + random.nextLong(45 * DAY);
                browse(user, desktop, false, Source.returnTouch(random), source.contentAffinity);
            }
            return;
        }
        subscribe(user, desktop, phoneDevice, phone, plan, trialEnd, reader);
    }

    /** Pays monthly until churning; a few refund the first payment. */
    private void subscribe(String user, String desktop, String phoneDevice, String phone, Catalog.Plan plan,
                           long trialEnd, boolean reader) {
        long purchase = trialEnd - random.nextLong(2 * DAY);
        time = purchase;
        pageview(user, desktop, false, Catalog.CHECKOUT, null, session(purchase));
        track(time + 30_000, user, desktop, true, "Purchased", session(purchase),
                props().put("revenue", plan.monthlyPrice()).put("plan", plan.name()).put("currency", "USD"));
        profile(time + 30_000, user, set("plan", plan.name()), set("status", "active"));
        if (random.nextInt(100) < REFUND_PERCENT) {
            long refund = purchase + DAY + random.nextLong(9 * DAY);
            serverEvent(refund, user, "Refunded", props().put("revenue", -plan.monthlyPrice()).put("plan", plan.name())
                    .put("reason", "not a fit"));
            cancel(refund + MINUTE, user, plan, 0);
            return;
        }
        double churn = reader ? READER_MONTHLY_CHURN : OTHER_MONTHLY_CHURN;
        int months = Math.min(24, 1 + geometric(churn));
        for (int month = 0; month < months; month++) {
            long start = purchase + month * MONTH;
            if (start > now) {
                return;
            }
            if (month > 0) {
                serverEvent(start, user, "Billing", props().put("revenue", plan.monthlyPrice()).put("plan", plan.name())
                        .put("period", month + 1));
                if (random.nextInt(100) == 0) {
                    serverEvent(start + 2 * DAY, user, "Refunded", props().put("revenue", -plan.monthlyPrice() / 2)
                            .put("plan", plan.name()).put("reason", "partial credit"));
                }
            }
            int sessions = 1 + random.nextInt(4);
            for (int i = 0; i < sessions; i++) {
                time = start + DAY + random.nextLong(MONTH - 2 * DAY);
                useApp(user, pickDevice(desktop, phoneDevice), false);
            }
            if (random.nextInt(100) < 12) {
                supportContact(start + random.nextLong(MONTH), user);
            }
            if (phone != null && random.nextInt(100) < 5) {
                phoneCall(start + random.nextLong(MONTH), phone, "inbound");
            }
        }
        cancel(purchase + months * MONTH - random.nextLong(3 * DAY), user, plan, months);
    }

    private void cancel(long at, String user, Catalog.Plan plan, int monthsPaid) {
        serverEvent(at, user, "Cancelled Subscription", props().put("plan", plan.name()).put("months_paid", monthsPaid)
                .put("reason", Catalog.any(Catalog.CANCEL_REASONS, random)));
        profile(at, user, set("status", "cancelled"));
    }

    /** The identify call of a sign-up, then the Signed Up event. */
    private void signUp(String user, String device, Catalog.Plan plan, boolean colleague) {
        time += 30_000 + random.nextLong(90_000);
        String session = session(time);
        pageview(null, device, false, Catalog.SIGNUP, null, session);
        time += 20_000 + random.nextLong(60_000);
        String first = Catalog.any(Catalog.FIRST_NAMES, random);
        String last = Catalog.any(Catalog.LAST_NAMES, random);
        String company = Catalog.any(Catalog.COMPANY_WORDS, random) + " " + Catalog.any(Catalog.COMPANY_SUFFIXES, random);
        String email = (first + "." + last).toLowerCase(java.util.Locale.ROOT).replace("'", "").replace("ü", "u")
                + (colleague ? ".b" : "") + "." + index + "@" + company.toLowerCase(java.util.Locale.ROOT)
                .replace(' ', '-') + ".example";
        link(time, user, device);
        profile(time, user, set("email", email), set("name", first + " " + last), set("company", company),
                set("plan", plan.name()), set("status", "trialing"),
                new PropertyOperation(PropertyOperation.Kind.SET_ONCE, "signed_up_at", TextNode.valueOf(Instant.ofEpochMilli(time).toString())));
        track(time + 500, user, device, true, "Signed Up", session,
                props().put("plan", plan.name()).put("method", random.nextInt(3) == 0 ? "google" : "email"));
        time += MINUTE;
    }

    /**
     * A marketing-site visit: a few pages, pricing views and blog reads, on the device with
     * anonymous id {@code device}, under {@code user} once known (else null).
     */
    private void browse(String user, String device, boolean mobile, Source.Touch touch, double contentAffinity) {
        String anonymous = device;
        String session = session(time);
        boolean reading = random.nextDouble() < contentAffinity;
        int pages = Math.min(6, 1 + geometric(0.45));
        Catalog.Page previous = null;
        for (int i = 0; i < pages; i++) {
            Catalog.Page page;
            Catalog.Article article = null;
            if (i == 0) {
                page = touch.landing;
            } else if (reading && random.nextInt(100) < 55) {
                article = Catalog.article(random);
                page = article.page();
            } else {
                page = Catalog.marketingPage(random);
            }
            if (article == null && page.path().startsWith("/blog/")) {
                for (Catalog.Article candidate : Catalog.ARTICLES) {
                    if (candidate.page() == page) {
                        article = candidate;
                    }
                }
            }
            ObjectNode properties = pageProperties(page, i == 0 ? touch : null, previous, mobile);
            addTrack(time, user, anonymous, "$pageview", session, properties);
            if (page == Catalog.PRICING) {
                addTrack(time + 2_000, user, anonymous, "Viewed Pricing", session, props().put("path", page.path()));
            }
            if (article != null && random.nextInt(100) < 75) {
                addTrack(time + 60_000 + random.nextLong(180_000), user, anonymous, "Read Article", session,
                        props().put("article", article.slug()).put("title", article.title())
                                .put("category", article.category()).put("url", article.page().url()));
                reads++;
                time += 4 * MINUTE;
            }
            time += 20_000 + random.nextLong(160_000);
            previous = page;
        }
    }

    /** A session in the product. */
    private void useApp(String user, String device, boolean mobile) {
        String session = session(time);
        Catalog.Page page = Catalog.appPage(random);
        addTrack(time, user, device, "$pageview", session, pageProperties(page, null, null, mobile));
        int roll = random.nextInt(100);
        if (roll < 45) {
            addTrack(time + 90_000 + random.nextLong(300_000), user, device, "Created Report", session,
                    props().put("report_type", random.nextBoolean() ? "funnel" : random.nextBoolean() ? "retention" : "trends"));
        } else if (roll < 60) {
            addTrack(time + 60_000 + random.nextLong(120_000), user, device, "Exported Data", session,
                    props().put("format", random.nextBoolean() ? "csv" : "json"));
        } else if (roll < 65) {
            addTrack(time + 60_000, user, device, "Invited Teammate", session, props().put("role", "member"));
        }
        time += 10 * MINUTE;
    }

    private void browseApp(String user, String device, boolean mobile, int sessions) {
        for (int i = 0; i < sessions; i++) {
            useApp(user, device, mobile);
            time += HOUR + random.nextLong(3 * DAY);
        }
    }

    private void supportContact(long at, String user) {
        serverEvent(at, user, "Contacted Support", props().put("channel", random.nextBoolean() ? "email" : "chat")
                .put("topic", Catalog.any(Catalog.SUPPORT_TOPICS, random)));
    }

    /** An offline call from the CRM, keyed by the phone number only. */
    private void phoneCall(long at, String phone, String direction) {
        int roll = random.nextInt(100);
        String outcome = roll < 35 ? "demo booked" : roll < 65 ? "interested" : roll < 85 ? "voicemail" : "not interested";
        track(at, phone, null, false, "Phone Call", null, props().put("direction", direction)
                .put("duration_seconds", outcome.equals("voicemail") ? 30 + random.nextInt(60) : 120 + random.nextInt(1500))
                .put("outcome", outcome).put("agent", Catalog.any(Catalog.SALES_AGENTS, random)));
    }

    private void serverEvent(long at, String user, String name, ObjectNode properties) {
        track(at, user, null, true, name, null, properties);
    }

    private void pageview(String user, String device, boolean mobile, Catalog.Page page, Source.Touch touch, String session) {
        addTrack(time, user, device, "$pageview", session, pageProperties(page, touch, null, mobile));
    }

    private ObjectNode pageProperties(Catalog.Page page, Source.Touch touch, Catalog.Page previous, boolean mobile) {
        ObjectNode properties = props();
        properties.put("url", touch != null ? touch.landingUrl() : page.url());
        properties.put("path", page.path());
        if (touch != null) {
            if (touch.referrer != null) {
                properties.put("referrer", touch.referrer);
            }
            if (touch.utmSource != null) {
                properties.put("utm_source", touch.utmSource).put("utm_medium", touch.utmMedium)
                        .put("utm_campaign", touch.utmCampaign);
                if (touch.utmTerm != null) {
                    properties.put("utm_term", touch.utmTerm);
                }
                if (touch.utmContent != null) {
                    properties.put("utm_content", touch.utmContent);
                }
            }
            if (touch.gclid != null) {
                properties.put("gclid", touch.gclid);
            }
        } else if (previous != null) {
            properties.put("referrer", previous.url());
        }
        properties.put("title", page.title());
        properties.put("device", mobile ? "mobile" : "desktop");
        return properties;
    }

    /** A browser event: under the user id when known (with the device's anonymous id), else the anonymous id. */
    private void addTrack(long at, String user, String anonymous, String name, String session, ObjectNode properties) {
        if (user == null) {
            track(at, anonymous, null, false, name, session, properties);
        } else {
            track(at, user, anonymous, true, name, session, properties);
        }
    }

    private void track(long at, String identity, String anonymous, boolean identified, String name, String session,
                       ObjectNode properties) {
        Instant timestamp = Instant.ofEpochMilli(at);
        Instant received = Instant.ofEpochMilli(at + 40 + random.nextInt(1500));
        add(at, new Command.Track(uuid(), identity, Optional.ofNullable(anonymous), identified, name, timestamp, received,
                Optional.ofNullable(session), properties, List.of()));
    }

    private void link(long at, String user, String other) {
        add(at, new Command.Link(user, true, other, Command.Strength.NORMAL, Instant.ofEpochMilli(at)));
    }

    private void profile(long at, String user, PropertyOperation... operations) {
        add(at, new Command.UpdateProfile(user, true, List.of(operations), Instant.ofEpochMilli(at)));
    }

    private void add(long at, Command command) {
        entries.add(new Entry(at, sequence++, command));
    }

    private static PropertyOperation set(String key, String value) {
        return new PropertyOperation(PropertyOperation.Kind.SET, key, TextNode.valueOf(value));
    }

    private static ObjectNode props() {
        return NODES.objectNode();
    }

    /** A client session id: the session's start in epoch milliseconds, as Amplitude-style trackers send. */
    private static String session(long start) {
        return Long.toString(start);
    }

    private String pickDevice(String desktop, String phoneDevice) {
        return phoneDevice != null && random.nextInt(3) == 0 ? phoneDevice : desktop;
    }

    private String uuid() {
        return new UUID((random.nextLong() & ~0xF000L) | 0x4000L, (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | Long.MIN_VALUE).toString();
    }

    /** Time between visits: at least 40 minutes, typically a few days. */
    private long gap() {
        return 40 * MINUTE + (long) (-Math.log(1 - random.nextDouble()) * 3 * DAY);
    }

    /** Failures before the first success with probability {@code p}. */
    private int geometric(double p) {
        return (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - p));
    }

    /** Moves a time to a plausible hour of its day (busiest in the European and American afternoons). */
    private long daytime(long at) {
        long day = Math.floorDiv(at, DAY) * DAY;
        double hour = 7 + random.nextDouble() * 10 + random.nextDouble() * 6;
        return day + (long) (hour * HOUR) + random.nextLong(HOUR);
    }
}
