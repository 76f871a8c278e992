package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the measured reason Unix-stream servers take no abstract address: the JDK's stream channels
 * accept only paths, and a path cannot hold the leading NUL that marks an abstract name. If a
 * future JDK lifts this, this test fails and the limit documented on {@link UnixStreamServer} can go.
 */
@Timeout(10)
class UnixStreamAbstractAddressTest {

    @Test
    void jdkStreamChannelsRefuseAnAbstractName() {
        assertThatThrownBy(() -> UnixDomainSocketAddress.of("\0socketserver"))
                .isInstanceOf(InvalidPathException.class)
                .hasMessageContaining("Nul character not allowed");
    }
}
