package dev.socketserver.async;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.LengthField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framing protocol's handling of memory, driven by hand with reads of chosen sizes: a frame
 * that lies whole in a read is handed over as a view of that read (no copy); one that spans reads
 * is gathered once, into a buffer of the frame's size when the framer knows it, and that buffer is
 * dropped once the frame is handed over. A connection that starts closing gets no more frames,
 * and what was not handed over stays in the read.
 */
@Timeout(30)
class FramedProtocolTest {

    @Test
    void framesWholeInOneReadAreViewsOfThatRead() {
        Recorder recorder = new Recorder();
        FramedProtocol framed = framed(Framer.lines(100), recorder);
        ByteBuffer read = ascii("one\r\ntwo\nthree\n");
        framed.dataReceived(read);
        assertThat(recorder.texts).containsExactly("one", "two", "three");
        assertThat(recorder.arrays).allSatisfy(array -> assertThat(array).isSameAs(read.array()));
        assertThat(read.hasRemaining()).isFalse();
        assertThat(framed.partialCapacity()).isZero();
    }

    @Test
    void aFrameThatSpansReadsIsGatheredIntoOneBufferOfItsSizeThatIsDroppedAfterwards() {
        Recorder recorder = new Recorder();
        FramedProtocol framed = framed(Framer.lengthField(LengthField.prefix(4, 2_000)), recorder);
        ByteBuffer frame = ByteBuffer.allocate(4 + 1_000).putInt(1_000);
        while (frame.hasRemaining()) {
            frame.put((byte) 'x');
        }
        frame.flip();
        for (int at = 0; at < frame.limit(); at += 100) {
            framed.dataReceived(frame.slice(at, Math.min(100, frame.limit() - at)).duplicate());
            if (at + 100 < frame.limit()) {
                assertThat(framed.partialCapacity()).as("gathering, after %d bytes", at + 100).isEqualTo(1_004);
            }
        }
        assertThat(recorder.texts).containsExactly("x".repeat(1_000));
        assertThat(recorder.capacities).containsExactly(1_004);
        assertThat(framed.partialCapacity()).as("nothing held once the frame is handed over").isZero();
    }

    @Test
    void aLineThatSpansReadsGrowsItsBufferToTheLimitAtMost() {
        Recorder recorder = new Recorder();
        FramedProtocol framed = framed(Framer.lines(3_000), recorder);
        for (int i = 0; i < 3_000; i += 10) {
            framed.dataReceived(ascii("y".repeat(10)));
            assertThat(framed.partialCapacity()).isLessThanOrEqualTo(3_002);
        }
        framed.dataReceived(ascii("\r\nnext\n"));
        assertThat(recorder.texts).containsExactly("y".repeat(3_000), "next");
        assertThat(framed.partialCapacity()).isZero();
    }

    @Test
    void aConnectionThatStartsClosingGetsNoMoreFramesAndTheRestStaysInTheRead() {
        FakeTransport transport = new FakeTransport();
        Recorder recorder = new Recorder();
        recorder.onFrame = text -> {
            if (text.equals("quit")) {
                transport.close();
            }
        };
        FramedProtocol framed = new FramedProtocol(Framer.lines(100).newDecoder(), recorder);
        framed.connectionMade(transport);
        ByteBuffer read = ascii("a\nquit\nb\nc\n");
        framed.dataReceived(read);
        assertThat(recorder.texts).containsExactly("a", "quit");
        assertThat(StandardCharsets.US_ASCII.decode(read).toString()).isEqualTo("b\nc\n");
    }

    @Test
    void aFrameOverTheLimitGoesToTheHookThenTheConnectionClosesAndNothingMoreIsHandedOver() {
        FakeTransport transport = new FakeTransport();
        Recorder recorder = new Recorder();
        FramedProtocol framed = new FramedProtocol(Framer.delimiter(ascii(";").array(), 4).newDecoder(), recorder);
        framed.connectionMade(transport);
        framed.dataReceived(ascii("ok;"));
        framed.dataReceived(ascii("toolong;more;"));
        framed.dataReceived(ascii("after;"));
        assertThat(recorder.texts).containsExactly("ok");
        assertThat(recorder.tooLong).hasSize(1);
        assertThat(recorder.tooLong.getFirst().limit()).isEqualTo(4);
        assertThat(transport.closed).isTrue();
    }

    @Test
    void atEofALastLineWithoutNewlineIsHandedOverAndAnUnfinishedFrameIsDropped() {
        Recorder lines = new Recorder();
        FramedProtocol framedLines = framed(Framer.lines(100), lines);
        framedLines.dataReceived(ascii("whole\nlast\r"));
        assertThat(framedLines.eofReceived()).isFalse();
        assertThat(lines.texts).containsExactly("whole", "last");

        Recorder records = new Recorder();
        FramedProtocol framedRecords = framed(Framer.fixedLength(4), records);
        framedRecords.dataReceived(ascii("abcdef"));
        framedRecords.eofReceived();
        assertThat(records.texts).containsExactly("abcd");
        assertThat(framedRecords.partialCapacity()).isZero();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static FramedProtocol framed(Framer framer, FrameProtocol protocol) {
        FramedProtocol framed = new FramedProtocol(framer.newDecoder(), protocol);
        framed.connectionMade(new FakeTransport());
        return framed;
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Records each frame: its text, the array it is a view of, and that array's capacity. */
    static final class Recorder implements FrameProtocol {
        final List<String> texts = new ArrayList<>();
        final List<byte[]> arrays = new ArrayList<>();
        final List<Integer> capacities = new ArrayList<>();
        final List<FrameTooLongException> tooLong = new ArrayList<>();
        Consumer<String> onFrame = text -> { };

        @Override
        public void frameReceived(ByteBuffer frame) {
            arrays.add(frame.hasArray() ? frame.array() : null);
            capacities.add(frame.capacity());
            String text = StandardCharsets.ISO_8859_1.decode(frame).toString();
            texts.add(text);
            onFrame.accept(text);
        }

        @Override
        public void frameTooLong(FrameTooLongException error) {
            tooLong.add(error);
        }
    }

    /** A transport that only records whether it was closed. */
    static final class FakeTransport implements Transport {
        boolean closed;

        @Override
        public void write(ByteBuffer data) {
            data.position(data.limit());
        }

        @Override
        public void write(byte[] data) {
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void abort() {
            closed = true;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void pauseReading() {
        }

        @Override
        public void resumeReading() {
        }

        @Override
        public void setBackpressure(boolean on) {
        }

        @Override
        public long writeBufferSize() {
            return 0;
        }

        @Override
        public boolean isClosing() {
            return closed;
        }

        @Override
        public SocketAddress clientAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 2);
        }

        @Override
        public EventLoop loop() {
            throw new UnsupportedOperationException();
        }
    }
}
