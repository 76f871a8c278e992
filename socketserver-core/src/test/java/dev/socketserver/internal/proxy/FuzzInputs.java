package dev.socketserver.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Input generators for the fuzz properties, driven by the {@link Random} jqwik hands them, so a
 * property's seed reproduces its inputs exactly. Valid headers of every shape, noise that starts like
 * a header, and mutations that break them in the ways parsers get wrong: lengths, boundaries, lone
 * CR and LF, separators. Stateless.
 */
final class FuzzInputs {
    /** Bytes a v1 line is made of, and the ones that break it. */
    private static final byte[] V1_ALPHABET = "PROXYTCP46UNKOW0123456789abcdefABCDEF.: \r\n\u0000\t-+x%[]/"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final int[] KNOWN_TYPES = {ProxyTlv.ALPN, ProxyTlv.AUTHORITY, ProxyTlv.CRC32C, ProxyTlv.NOOP,
            ProxyTlv.UNIQUE_ID, ProxyTlv.SSL, ProxyTlv.NETNS, 0xE0, 0xF8, 0xFF};
    private static final int[] SSL_SUBTYPES = {ProxyTlv.SSL_VERSION, ProxyTlv.SSL_CN, ProxyTlv.SSL_CIPHER,
            ProxyTlv.SSL_SIG_ALG, ProxyTlv.SSL_KEY_ALG, ProxyTlv.SSL, 0x00};
    private static final int[] VALID_FAMILIES = {0x00, 0x01, 0x02, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x30, 0x31, 0x32};
    private static final int[] INTERESTING_LENGTHS = {0, 1, 2, 3, 4, 5, 11, 12, 13, 35, 36, 37, 128, 129, 215, 216, 217,
            255, 256, 4080, 4081, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};

    private FuzzInputs() {
    }

    // ---- valid headers

    /** A valid v1 line: TCP4, TCP6 in one of its text forms, or UNKNOWN with or without a tail. */
    static byte[] validV1(Random random) {
        String line = switch (random.nextInt(3)) {
            case 0 -> "PROXY TCP4 " + ipv4(random) + " " + ipv4(random) + " " + port(random) + " " + port(random);
            case 1 -> "PROXY TCP6 " + ipv6(random) + " " + ipv6(random) + " " + port(random) + " " + port(random);
            default -> "PROXY UNKNOWN" + (random.nextBoolean() ? "" : " " + printable(random, random.nextInt(93)));
        };
        return (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A valid v2 header: any command, defined family and transport, random addresses and TLVs, maybe a CRC32C. */
    static byte[] validV2(Random random) {
        int familyTransport = VALID_FAMILIES[random.nextInt(VALID_FAMILIES.length)];
        boolean local = random.nextInt(4) == 0;
        int block = (familyTransport & 0x0F) == 0 ? 0 : switch (familyTransport >> 4) {
            case 1 -> 12;
            case 2 -> 36;
            case 3 -> 216;
            default -> 0;
        };
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] addresses = new byte[block];
        random.nextBytes(addresses);
        if (block == 216 && random.nextBoolean()) {
            Arrays.fill(addresses, random.nextInt(1, 108), 108, (byte) 0);
        }
        body.writeBytes(addresses);
        if (block > 0 || local) {
            int count = random.nextInt(5);
            boolean[] used = new boolean[256];
            for (int i = 0; i < count; i++) {
                int type = KNOWN_TYPES[random.nextInt(KNOWN_TYPES.length)];
                if (type == ProxyTlv.CRC32C || (used[type] && type != ProxyTlv.NOOP && type < 0xE0)) {
                    continue;
                }
                used[type] = true;
                writeTlv(body, type, tlvValue(random, type));
            }
        }
        int checksumAt = -1;
        if ((block > 0 || local) && random.nextInt(3) == 0) {
            checksumAt = 16 + body.size() + 3;
            writeTlv(body, ProxyTlv.CRC32C, new byte[4]);
        }
        byte[] header = ByteBuffer.allocate(16 + body.size()).put(V2HeaderBuilder.SIGNATURE)
                .put((byte) (local ? 0x20 : 0x21)).put((byte) familyTransport).putShort((short) body.size())
                .put(body.toByteArray()).array();
        if (checksumAt >= 0) {
            CRC32C crc = new CRC32C();
            crc.update(header);
            ByteBuffer.wrap(header).putInt(checksumAt, (int) crc.getValue());
        }
        return header;
    }

    private static byte[] tlvValue(Random random, int type) {
        return switch (type) {
            case ProxyTlv.UNIQUE_ID -> randomBytes(random, random.nextInt(129));
            case ProxyTlv.SSL -> {
                ByteArrayOutputStream ssl = new ByteArrayOutputStream();
                ssl.write(random.nextInt(8));
                ssl.writeBytes(ByteBuffer.allocate(4).putInt(random.nextInt(3) == 0 ? random.nextInt() : 0).array());
                int subs = random.nextInt(5);
                boolean[] used = new boolean[256];
                for (int i = 0; i < subs; i++) {
                    int subtype = SSL_SUBTYPES[random.nextInt(SSL_SUBTYPES.length)];
                    if (used[subtype] && subtype >= ProxyTlv.SSL_VERSION && subtype <= ProxyTlv.SSL_KEY_ALG) {
                        continue;
                    }
                    used[subtype] = true;
                    writeTlv(ssl, subtype, printable(random, random.nextInt(24)).getBytes(StandardCharsets.ISO_8859_1));
                }
                yield ssl.toByteArray();
            }
            default -> randomBytes(random, random.nextInt(random.nextInt(8) == 0 ? 600 : 24));
        };
    }

    // ---- noise and odd lengths

    /** Random bytes; often behind one of the two signatures, so the parser gets past its first check. */
    static byte[] noise(Random random) {
        int length = random.nextInt(random.nextInt(10) == 0 ? 400 : 64);
        return switch (random.nextInt(4)) {
            case 0 -> randomBytes(random, length);
            case 1 -> TestStreams.concat("PROXY ".getBytes(StandardCharsets.ISO_8859_1), v1Noise(random, length));
            case 2 -> {
                byte[] tail = randomBytes(random, length);
                if (tail.length > 0 && random.nextBoolean()) {
                    tail[0] = (byte) (0x20 | random.nextInt(2));
                }
                yield TestStreams.concat(V2HeaderBuilder.SIGNATURE, tail);
            }
            default -> TestStreams.concat("PROXY ".getBytes(StandardCharsets.ISO_8859_1),
                    (printable(random, length) + (random.nextBoolean() ? "\r\n" : "")).getBytes(StandardCharsets.ISO_8859_1));
        };
    }

    /** Lengths at and around every limit: v2 declared lengths against what is really sent, v1 lines around 107. */
    static byte[] oddLength(Random random) {
        if (random.nextInt(4) == 0) {
            int target = random.nextInt(95, 112);
            String line = "PROXY UNKNOWN " + "f".repeat(Math.max(0, target - 16));
            String end = switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> "\r";
                default -> "\r\n";
            };
            return (line + end).getBytes(StandardCharsets.ISO_8859_1);
        }
        int declared = random.nextBoolean() ? INTERESTING_LENGTHS[random.nextInt(INTERESTING_LENGTHS.length)]
                : random.nextInt(random.nextBoolean() ? 300 : 0x10000);
        int sent = switch (random.nextInt(4)) {
            case 0 -> declared;
            case 1 -> Math.max(0, declared + random.nextInt(-3, 4));
            case 2 -> random.nextInt(Math.min(declared, 2000) + 1);
            default -> random.nextInt(300);
        };
        sent = Math.min(sent, 70_000);
        int familyTransport = random.nextInt(8) == 0 ? random.nextInt(256) : VALID_FAMILIES[random.nextInt(VALID_FAMILIES.length)];
        byte[] body = random.nextBoolean() ? randomBytes(random, sent) : tlvSoup(random, sent);
        return ByteBuffer.allocate(16 + body.length).put(V2HeaderBuilder.SIGNATURE)
                .put((byte) (random.nextInt(8) == 0 ? 0x20 : 0x21)).put((byte) familyTransport).putShort((short) declared)
                .put(body).array();
    }

    /** Exactly {@code length} bytes of TLV-shaped data whose lengths are often slightly wrong. */
    private static byte[] tlvSoup(Random random, int length) {
        ByteBuffer out = ByteBuffer.allocate(length);
        while (out.remaining() >= 3) {
            int type = random.nextBoolean() ? KNOWN_TYPES[random.nextInt(KNOWN_TYPES.length)] : random.nextInt(256);
            int room = out.remaining() - 3;
            int valueLength = Math.max(0, Math.min(random.nextInt(Math.min(room, 200) + 1) + random.nextInt(-1, 2), 0xFFFF));
            out.put((byte) type).putShort((short) valueLength);
            byte[] value = randomBytes(random, Math.min(valueLength, out.remaining()));
            out.put(value);
        }
        return out.array();
    }

    // ---- mutations

    /** Up to four mutations of {@code valid}, sometimes none; then maybe application bytes after it. */
    static byte[] mutate(Random random, byte[] valid) {
        byte[] bytes = valid;
        int count = random.nextInt(5);
        for (int i = 0; i < count && bytes.length > 0; i++) {
            bytes = mutateOnce(random, bytes);
        }
        return random.nextInt(3) == 0 ? TestStreams.concat(bytes, randomBytes(random, random.nextInt(20))) : bytes;
    }

    private static byte[] mutateOnce(Random random, byte[] bytes) {
        // Mostly past the signature: a broken signature is refused at once and teaches little.
        int at = bytes.length > 12 && random.nextInt(4) != 0 ? random.nextInt(12, bytes.length) : random.nextInt(bytes.length);
        byte[] out = bytes.clone();
        switch (random.nextInt(9)) {
            case 0 -> out[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> out[at] = V1_ALPHABET[random.nextInt(V1_ALPHABET.length)];
            case 2 -> out[at] = (byte) random.nextInt(256);
            case 3 -> {
                return insert(bytes, at, V1_ALPHABET[random.nextInt(V1_ALPHABET.length)]);
            }
            case 4 -> {
                return delete(bytes, at);
            }
            case 5 -> {
                return Arrays.copyOf(bytes, at);
            }
            case 6 -> {
                // a u16 length field somewhere: v2's at 14, or any position
                int where = random.nextBoolean() && bytes.length >= 16 ? 14 : Math.min(at, bytes.length - 2);
                if (where >= 0) {
                    int value = random.nextBoolean() ? INTERESTING_LENGTHS[random.nextInt(INTERESTING_LENGTHS.length)]
                            : ((out[where] & 0xFF) << 8 | (out[where + 1] & 0xFF)) + random.nextInt(-3, 4);
                    out[where] = (byte) (value >> 8);
                    out[where + 1] = (byte) value;
                }
            }
            case 7 -> {
                int from = random.nextInt(bytes.length);
                int length = random.nextInt(Math.min(16, bytes.length - from) + 1);
                byte[] piece = Arrays.copyOfRange(bytes, from, from + length);
                return TestStreams.concat(TestStreams.concat(Arrays.copyOf(bytes, at), piece), Arrays.copyOfRange(bytes, at, bytes.length));
            }
            default -> {
                if (bytes.length > 13) {
                    out[12 + random.nextInt(2)] = (byte) random.nextInt(256);
                }
            }
        }
        return out;
    }

    // ---- pieces

    private static String ipv4(Random random) {
        return random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
    }

    /** A random IPv6 address in a random one of the text forms senders use. */
    static String ipv6(Random random) {
        byte[] raw = randomBytes(random, 16);
        int zeros = random.nextInt(4);
        if (zeros > 0) {
            int from = random.nextInt(8);
            int to = Math.min(8, from + random.nextInt(1, 8));
            Arrays.fill(raw, from * 2, to * 2, (byte) 0);
        }
        if (random.nextInt(6) == 0) {
            Arrays.fill(raw, 0, 10, (byte) 0);
            raw[10] = (byte) 0xFF;
            raw[11] = (byte) 0xFF;
            return "::ffff:" + (raw[12] & 0xFF) + "." + (raw[13] & 0xFF) + "." + (raw[14] & 0xFF) + "." + (raw[15] & 0xFF);
        }
        return switch (random.nextInt(4)) {
            case 0 -> AddressLiterals.format(raw);
            case 1 -> AddressLiterals.format(raw).toUpperCase(Locale.ROOT);
            case 2 -> V2Decoder.inetAddress(raw).getHostAddress();
            default -> {
                String hex = HexFormat.of().formatHex(raw);
                StringBuilder full = new StringBuilder();
                for (int i = 0; i < 8; i++) {
                    full.append(i == 0 ? "" : ":").append(hex, 4 * i, 4 * i + 4);
                }
                yield full.toString();
            }
        };
    }

    private static int port(Random random) {
        return random.nextBoolean() ? random.nextInt(65536) : new int[] {0, 1, 80, 443, 65535}[random.nextInt(5)];
    }

    private static String printable(Random random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) random.nextInt(0x20, 0x7F);
        }
        return new String(chars);
    }

    private static byte[] v1Noise(Random random, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = V1_ALPHABET[random.nextInt(V1_ALPHABET.length)];
        }
        return out;
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }

    private static void writeTlv(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] insert(byte[] bytes, int at, byte value) {
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        return out;
    }

    private static byte[] delete(byte[] bytes, int at) {
        byte[] out = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
        return out;
    }
}
