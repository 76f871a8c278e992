package dev.socketserver.internal.proxy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsCoverage;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;

import java.util.Arrays;

/**
 * One million inputs through every entry point of the parser: random bytes, valid v1 and v2 headers
 * with up to four random mutations, and lengths at and around every limit. For each,
 * {@link FuzzOracle} checks that nothing but {@link ProxyProtocolException} is thrown, that no entry
 * point reads or consumes past the header's own end, and that all four agree.
 *
 * <p>Each property has a fixed seed, so every run tries the same inputs and a failure reproduces; jqwik
 * prints the seed and the failing input (and {@link FuzzOracle} adds it in hex). To explore new inputs,
 * change a seed. Inputs come from {@link FuzzInputs} through the {@link java.util.Random} jqwik seeds,
 * so they do not shrink; the hex is the reproduction. {@link FuzzTimeBound} bounds each property's
 * time, since JUnit's {@code @Timeout} does not apply to jqwik.
 *
 * <p>The mix: 300,000 noise inputs, 250,000 mutated v1 lines, 300,000 mutated v2 headers, 150,000
 * odd lengths. Each property collects its outcomes (jqwik prints the table) and fails if its inputs
 * stop reaching the outcomes it exists for, so a generator that degrades into noise is caught too.
 */
// DIRECT_DESCENDANTS: without it a hook on the class never reaches the class's properties.
@AddLifecycleHook(value = FuzzTimeBound.class, propagateTo = PropagationMode.DIRECT_DESCENDANTS)
class ProxyHeaderFuzzTest {
    private final FuzzOracle oracle = new FuzzOracle(ProxyHeaderParser.create());
    private final FuzzOracle limitedOracle = new FuzzOracle(ProxyHeaderParser.create().withMaxHeaderLength(4096));

    /** How many bytes the stream gives per read for this input: mostly all it can, sometimes a few. */
    private static int chunkFor(byte[] input) {
        int pick = Arrays.hashCode(input) & 7;
        return pick < 5 ? Integer.MAX_VALUE : pick - 4;
    }

    @Property(tries = 300_000, seed = "20261127001", shrinking = ShrinkingMode.OFF)
    void noiseIsRefusedCleanly(@ForAll("noise") byte[] input) {
        Statistics.collect(oracle.check(input, chunkFor(input)));
        Statistics.coverage(reached -> atLeast(reached, 100, "incomplete", "NOT_PROXY_PROTOCOL", "BAD_SIGNATURE",
                "UNSUPPORTED_VERSION", "BAD_COMMAND", "BAD_FAMILY", "MALFORMED_LINE", "TOO_LONG"));
    }

    @Property(tries = 250_000, seed = "20261127002", shrinking = ShrinkingMode.OFF)
    void mutatedV1LinesAreParsedOrRefusedCleanly(@ForAll("mutatedV1") byte[] input) {
        Statistics.collect(oracle.check(input, chunkFor(input)));
        Statistics.coverage(reached -> atLeast(reached, 25_000, "v1 PROXY"));
        Statistics.coverage(reached -> atLeast(reached, 500, "incomplete", "MALFORMED_LINE", "MALFORMED_ADDRESS",
                "BAD_PORT", "BAD_FAMILY", "TOO_LONG"));
    }

    @Property(tries = 300_000, seed = "20261127003", shrinking = ShrinkingMode.OFF)
    void mutatedV2HeadersAreParsedOrRefusedCleanly(@ForAll("mutatedV2") byte[] input) {
        Statistics.collect((input.length % 4 == 0 ? limitedOracle : oracle).check(input, chunkFor(input)));
        Statistics.coverage(reached -> atLeast(reached, 15_000, "v2 PROXY with TLVs", "v2 LOCAL", "v2 PROXY"));
        Statistics.coverage(reached -> atLeast(reached, 500, "incomplete", "UNSUPPORTED_VERSION", "BAD_COMMAND",
                "BAD_FAMILY", "MALFORMED_ADDRESS", "TOO_LONG", "BAD_TLV", "BAD_CHECKSUM"));
    }

    @Property(tries = 150_000, seed = "20261127004", shrinking = ShrinkingMode.OFF)
    void oddLengthsAreParsedOrRefusedCleanly(@ForAll("oddLength") byte[] input) {
        Statistics.collect((input.length % 4 == 0 ? limitedOracle : oracle).check(input, chunkFor(input)));
        Statistics.coverage(reached -> atLeast(reached, 1_000, "incomplete", "v1 PROXY", "v2 PROXY", "v2 LOCAL",
                "TOO_LONG", "MALFORMED_ADDRESS", "BAD_TLV", "BAD_FAMILY"));
    }

    /** Fails the property unless each outcome was reached at least {@code times}: the generators still reach it. */
    private static void atLeast(StatisticsCoverage reached, int times, String... outcomes) {
        for (String outcome : outcomes) {
            reached.check(outcome).count(count -> count >= times);
        }
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.randomValue(FuzzInputs::noise);
    }

    @Provide
    Arbitrary<byte[]> mutatedV1() {
        return Arbitraries.randomValue(random -> FuzzInputs.mutate(random, FuzzInputs.validV1(random)));
    }

    @Provide
    Arbitrary<byte[]> mutatedV2() {
        return Arbitraries.randomValue(random -> FuzzInputs.mutate(random, FuzzInputs.validV2(random)));
    }

    @Provide
    Arbitrary<byte[]> oddLength() {
        return Arbitraries.randomValue(FuzzInputs::oddLength);
    }
}
