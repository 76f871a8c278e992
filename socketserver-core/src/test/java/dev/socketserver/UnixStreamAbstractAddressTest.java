package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the reason a Unix-stream server binds an abstract name through libc and hands the socket to
 * a JDK channel ({@code internal.linux.AbstractStreamListener}): the JDK's stream channels accept
 * only paths, and a path cannot hold the leading NUL that marks an abstract name. If a future JDK
 * lifts this, this test fails and the JDK can bind abstract names itself.
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
