package dev.roster.demo;

import static java.util.Objects.requireNonNull;

import dev.roster.ingest.Command;
import dev.roster.ingest.IngestOutcome;
import dev.roster.ingest.WriteBuffer;
import dev.roster.project.Project;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo dataset: the project's reference data for the dashboard, the reports and the
 * benchmarks. It writes the traffic of a B2B SaaS ("Larkspur") over the 12 months before the
 * injected clock's now, as the {@link Command}s its Segment-instrumented site, backend and CRM
 * would produce, through the real write path ({@link WriteBuffer#submit} in large chunks, then
 * {@link WriteBuffer#compactNow}). The same seed and size give the same events; see
 * {@code docs/demo-dataset.md} for the full description.
 *
 * <p>What is in it:
 * <ul>
 *   <li>anonymous visitors from paid search (utm cpc + gclid), display ads, email, social campaigns
 *       (utm), organic search (Google, Bing, DuckDuckGo referrers), social referrers (Facebook, t.co,
 *       LinkedIn, Reddit), referral sites and direct traffic; the first {@code $pageview} carries
 *       url, path, referrer, title and utm_*;</li>
 *   <li>several sessions (client session ids, gaps over 30 minutes) before signing up; a quarter of
 *       sign-ups also browse on a phone, whose anonymous id is identified later (a merge);</li>
 *   <li>{@code Viewed Pricing}, {@code Read Article}, {@code Signed Up} (identify with email, name,
 *       company, plan), {@code Started Trial}, app usage, {@code Purchased} and monthly
 *       {@code Billing} with {@code revenue}, {@code Refunded} with negative revenue,
 *       {@code Cancelled Subscription} (churn), {@code Contacted Support};</li>
 *   <li>offline {@code Phone Call} events keyed by a phone number ({@code +1-555-…}), aliased to the
 *       user by a later link;</li>
 *   <li>identity noise: user id {@code "null"} (1 in 300 people), an event under {@code "undefined"}
 *       (1 in 700), and shared computers (2 in 400 people: a colleague identifies as another user on
 *       the same anonymous id, which the guard refuses).</li>
 * </ul>
 *
 * <p><b>The built-in behavioural effect.</b> People who {@code Read Article} at least 3 times
 * before {@code Started Trial} ("readers") convert to paid after the 14-day trial with probability
 * 0.55 (others 0.35) and then churn 7% a month (others 20%). So the share of trial starters still
 * paying, i.e. with a {@code Billing} event at least 90 days after {@code Started Trial}, is about
 * 0.55 × 0.93³ × 0.96 ≈ 0.42 for readers and 0.35 × 0.80³ × 0.96 ≈ 0.17 for the rest (0.96: refunds),
 * a ratio of about 2.4, among people whose trial started at least 120 days before now.
 *
 * <p>Thread safety: one {@link #generate} at a time per instance; it uses its own worker threads.
 */
public final class DemoGenerator {
    /** Events per person on average (measured 10.3–11.3); {@code --people 1000000} gives about 10.7M events. */
    public static final double EVENTS_PER_PERSON = 10.7;
    /** Reads of {@code Read Article} before the first {@code Started Trial} that make a "reader". */
    public static final int READER_THRESHOLD = PersonStory.READER_THRESHOLD;

    /**
     * The built-in effect as an expectation: the share of a group's trial starters (readers or not)
     * who pay a {@code Billing} {@code months} months after their first payment (a trial starter
     * converts, is not refunded, and survives that many months of churn). With {@code months = 3}
     * these are the ≈ 0.42 and ≈ 0.17 above; the first payment is about 12–14 days after the trial
     * start, so month 3 falls in the fourth calendar month after it (retention period 3).
     */
    public static double expectedStillPaying(boolean reader, int months) {
        if (months < 0) {
            throw new IllegalArgumentException("months must be >= 0, not " + months);
        }
        double conversion = reader ? PersonStory.READER_CONVERSION : PersonStory.OTHER_CONVERSION;
        double churn = reader ? PersonStory.READER_MONTHLY_CHURN : PersonStory.OTHER_MONTHLY_CHURN;
        return conversion * (1 - PersonStory.REFUND_PERCENT / 100.0) * Math.pow(1 - churn, months);
    }

    private final WriteBuffer writeBuffer;
    private final Clock clock;

    /** How big, which seed, and how to write. */
    public record Options(int people, long seed, int threads, int commandsPerSubmit) {
        public Options {
            if (people < 1) {
                throw new IllegalArgumentException("people must be at least 1");
            }
            if (threads < 1 || commandsPerSubmit < 1) {
                throw new IllegalArgumentException("threads and commandsPerSubmit must be positive");
            }
        }

        public static Options of(int people, long seed) {
            return new Options(people, seed, 2, 10_000);
        }
    }

    /** What was written. */
    public record Result(int people, long commands, long events, long duplicates, long millis) {
        public double eventsPerSecond() {
            return millis == 0 ? events : events * 1000.0 / millis;
        }
    }

    /** Told after every committed chunk; may be called from several threads. */
    @FunctionalInterface
    public interface Progress {
        void update(int peopleDone, int peopleTotal, long eventsStored);

        Progress NONE = (done, total, events) -> { };
    }

    public DemoGenerator(WriteBuffer writeBuffer, Clock clock) {
        this.writeBuffer = requireNonNull(writeBuffer, "writeBuffer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The commands of one person of the dataset (index 0 to people - 1), in time order, exactly as
     * {@link #generate} submits them for the same seed and now. For benchmarks that replay the
     * dataset through another path (HTTP, a raw appender).
     */
    public static List<Command> commandsOf(long seed, int index, java.time.Instant now) {
        List<Command> commands = new ArrayList<>(16);
        new PersonStory(seed, index, now.toEpochMilli()).writeTo(commands);
        return commands;
    }

    /** Writes the dataset into {@code project}, then compacts it. */
    public Result generate(Project project, Options options, Progress progress) {
        requireNonNull(project, "project is null");
        requireNonNull(options, "options is null");
        requireNonNull(progress, "progress is null");
        long started = System.nanoTime();
        long now = clock.millis();
        // People are written in blocks of consecutive indexes; each block is one or more submits.
        int block = Math.max(1, (int) Math.min(options.people(), options.commandsPerSubmit() / 12));
        int blocks = (options.people() + block - 1) / block;
        AtomicInteger nextBlock = new AtomicInteger();
        AtomicInteger peopleDone = new AtomicInteger();
        AtomicLong commands = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(options.threads(), runnable -> {
            Thread thread = new Thread(runnable, "demo-generator");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < options.threads(); t++) {
                running.add(workers.submit(() -> {
                    List<Command> chunk = new ArrayList<>(options.commandsPerSubmit() + 200);
                    for (int b = nextBlock.getAndIncrement(); b < blocks; b = nextBlock.getAndIncrement()) {
                        int from = b * block;
                        int to = Math.min(options.people(), from + block);
                        for (int index = from; index < to; index++) {
                            new PersonStory(options.seed(), index, now).writeTo(chunk);
                            if (chunk.size() >= options.commandsPerSubmit() || index == to - 1) {
                                IngestOutcome outcome = writeBuffer.submit(project, chunk);
                                commands.addAndGet(chunk.size());
                                events.addAndGet(outcome.stored());
                                duplicates.addAndGet(outcome.duplicates());
                                chunk.clear();
                            }
                        }
                        progress.update(peopleDone.addAndGet(to - from), options.people(), events.get());
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating the demo dataset", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("demo generation failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            workers.shutdownNow();
        }
        writeBuffer.compactNow();
        return new Result(options.people(), commands.get(), events.get(), duplicates.get(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
