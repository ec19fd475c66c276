package dev.roster.bench;

import dev.roster.demo.DemoGenerator;
import dev.roster.ingest.Command;
import java.time.Instant;
import java.util.List;

/**
 * The demo generator alone (no write path): commands per second and per CPU-second on one thread,
 * to tell generation cost from commit cost in DemoBenchmark.
 */
public final class GeneratorBenchmark {
    public static void main(String[] args) {
        int people = Bench.intProperty("people", 20_000);
        Instant now = Instant.now();
        long events = 0;
        for (int round = 0; round < 2; round++) {
            double cpu0 = Bench.ownCpuSeconds();
            long t0 = System.nanoTime();
            long commands = 0;
            events = 0;
            for (int person = 0; person < people; person++) {
                List<Command> list = DemoGenerator.commandsOf(1, person, now);
                commands += list.size();
                for (Command command : list) {
                    if (command instanceof Command.Track) {
                        events++;
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = Bench.ownCpuSeconds() - cpu0;
            if (round == 1) {
                Bench.report("GeneratorBenchmark people=" + people, List.of(
                        Bench.row("events / commands", "%,d / %,d", events, commands),
                        Bench.row("generation only, one thread", "%,.0f events/s wall, %,.0f events per CPU-second",
                                events / seconds, events / cpu),
                        Bench.row("machine load average", "%s", Bench.loadAverage())));
            }
        }
    }
}
