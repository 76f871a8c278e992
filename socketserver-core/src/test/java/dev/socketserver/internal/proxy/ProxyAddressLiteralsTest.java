package dev.socketserver.internal.proxy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The strict address parser used for v1 lines and trusted networks, checked against the JDK's own
 * literal parser ({@link InetAddress#ofLiteral}, which never looks names up): every text form of a
 * random address parses to its bytes, and whatever the strict parser accepts the JDK reads the same.
 */
@AddLifecycleHook(value = FuzzTimeBound.class, propagateTo = PropagationMode.DIRECT_DESCENDANTS)
class ProxyAddressLiteralsTest {

    @Property(tries = 5_000, seed = "20261127101")
    void everyTextFormOfAnIpv6AddressParsesToItsBytes(@ForAll @Size(16) byte[] raw, @ForAll("zeroRuns") int[] run) {
        java.util.Arrays.fill(raw, run[0] * 2, Math.min(16, (run[0] + run[1]) * 2), (byte) 0);
        String hex = HexFormat.of().formatHex(raw);
        StringBuilder full = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            full.append(i == 0 ? "" : ":").append(hex, 4 * i, 4 * i + 4);
        }
        String compressed = AddressLiterals.format(raw);
        for (String form : new String[] {compressed, compressed.toUpperCase(Locale.ROOT), full.toString(),
                V2Decoder.inetAddress(raw).getHostAddress()}) {
            assertThat(AddressLiterals.ipv6(form)).as(form).isEqualTo(raw);
        }
        assertThat(compressed).doesNotContain(":::").hasSizeLessThanOrEqualTo(39);
        assertThat(compressed.indexOf("::")).isEqualTo(compressed.lastIndexOf("::"));
    }

    @Property(tries = 5_000, seed = "20261127102")
    void everyIpv4AddressParsesFromDottedDecimalAndAsAMappedTail(@ForAll @Size(4) byte[] raw) {
        String dotted = AddressLiterals.format(raw);

        assertThat(AddressLiterals.ipv4(dotted)).isEqualTo(raw);
        byte[] mapped = AddressLiterals.ipv6("::ffff:" + dotted);
        assertThat(mapped).startsWith(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF}).endsWith(raw);
    }

    @Property(tries = 30_000, seed = "20261127103")
    void whatTheStrictParserAcceptsTheJdkReadsTheSame(@ForAll("addressLike") String text) {
        byte[] v4 = AddressLiterals.ipv4(text);
        byte[] v6 = AddressLiterals.ipv6(text);
        Statistics.collect(v4 != null ? "IPv4" : v6 != null ? "IPv6" : "refused");
        Statistics.coverage(reached -> {
            reached.check("IPv4").percentage(p -> p >= 5);
            reached.check("IPv6").percentage(p -> p >= 20);
            reached.check("refused").percentage(p -> p >= 20);
        });
        if (v4 == null && v6 == null) {
            return;
        }
        byte[] strict = v4 != null ? v4 : v6;
        InetAddress jdk = InetAddress.ofLiteral(text);
        byte[] expected = jdk.getAddress();
        if (v6 != null && jdk instanceof Inet4Address) {
            // The JDK turns ::ffff:a.b.c.d into IPv4; the strict parser keeps all 16 bytes.
            assertThat(strict).endsWith(expected);
        } else {
            assertThat(strict).as(text).isEqualTo(expected);
        }
    }

    @Example
    void theStrictParserRefusesWhatTheJdkWouldTolerate() {
        for (String loose : new String[] {"1", "1.2", "1.2.3", "01.2.3.4", "1.2.3.4.", "[::1]", "::1%1", "fe80::1%lo", " ::1",
                "1.2.3.4 ", "0x1.2.3.4", "1::2::3", ":1::", "1:::2", "::ffff:1.2.3", "1:2:3:4:5:6:7:8:9", "12345::",
                "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.04", "", ":", "１.2.3.4"}) {
            assertThat(AddressLiterals.ipv4(loose)).as("IPv4 %s", loose).isNull();
            assertThat(AddressLiterals.ipv6(loose)).as("IPv6 %s", loose).isNull();
        }
    }

    @Example
    void formattingFollowsRfc5952() {
        assertThat(format("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(format("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(format("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(format("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(format("1:0:0:0:0:0:0:0")).isEqualTo("1::");
        assertThat(format("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
        assertThat(format("2001:DB8:0:0:0:0:0:A")).isEqualTo("2001:db8::a");
    }

    private static String format(String text) {
        return AddressLiterals.format(AddressLiterals.ipv6(text));
    }

    @Provide
    Arbitrary<int[]> zeroRuns() {
        return Arbitraries.integers().between(0, 7).array(int[].class).ofSize(2);
    }

    /** Random strings of address characters, and valid IPv4 and IPv6 text with one random edit or none. */
    @Provide
    Arbitrary<String> addressLike() {
        String alphabet = "0123456789abcdefABCDEF:.%[] ";
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(alphabet).ofMinLength(1).ofMaxLength(45),
                Arbitraries.randomValue(random -> {
                    String valid = random.nextInt(4) == 0
                            ? random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256)
                            : FuzzInputs.ipv6(random);
                    StringBuilder text = new StringBuilder(valid);
                    int at = random.nextInt(text.length());
                    char c = alphabet.charAt(random.nextInt(alphabet.length()));
                    switch (random.nextInt(4)) {
                        case 0 -> text.setCharAt(at, c);
                        case 1 -> text.insert(at, c);
                        case 2 -> text.deleteCharAt(at);
                        default -> {
                        }
                    }
                    return text.toString();
                }));
    }
}
