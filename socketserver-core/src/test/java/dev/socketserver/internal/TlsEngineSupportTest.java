package dev.socketserver.internal;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine mechanics both families' TLS wrappers share: buffer growth, ALPN, the words for a failed handshake. */
class TlsEngineSupportTest {

    @Test
    void aBufferGrowsToTwiceItsSizeAndAtLeastTheSessionsSize() {
        assertThat(TlsEngineSupport.grownCapacity(ByteBuffer.allocate(100), 16_709)).isEqualTo(16_709);
        assertThat(TlsEngineSupport.grownCapacity(ByteBuffer.allocate(16_709), 16_709)).isEqualTo(33_418);
    }

    @Test
    void movingABufferKeepsWhatItHadLeftReadyForMore() {
        ByteBuffer small = ByteBuffer.allocate(8).put(new byte[] {1, 2, 3, 4}).flip();
        small.get();
        ByteBuffer moved = TlsEngineSupport.moveTo(small, 32);
        assertThat(moved.capacity()).isEqualTo(32);
        assertThat(moved.position()).isEqualTo(3);
        assertThat(small.hasRemaining()).isFalse();
        moved.flip();
        assertThat(new byte[] {moved.get(), moved.get(), moved.get()}).containsExactly(2, 3, 4);
    }

    @Test
    void noProtocolAgreedIsNull() throws Exception {
        var engine = SSLContext.getDefault().createSSLEngine();
        assertThat(TlsEngineSupport.applicationProtocol(engine)).isNull();
        assertThat(TlsEngineSupport.delegatedTasks(engine)).isEmpty();
    }

    @Test
    void bothFamiliesSayTheSameAboutAFailedHandshake() {
        var client = new InetSocketAddress("127.0.0.1", 40_000);
        assertThat(TlsEngineSupport.failureMessage(client, TlsEngineSupport.timeoutReason(Duration.ofSeconds(10))))
                .isEqualTo("TLS handshake with 127.0.0.1:40000 failed: TLS handshake did not finish within 10000 ms");
        assertThat(TlsEngineSupport.timedOut(Duration.ofMillis(250))).hasMessage("TLS handshake did not finish within 250 ms");
    }
}
