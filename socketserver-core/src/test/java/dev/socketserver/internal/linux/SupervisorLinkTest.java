package dev.socketserver.internal.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pipe that tells a worker its supervisor is gone, and the memory they share. */
@Timeout(30)
class SupervisorLinkTest {
    @Test
    void theWaitEndsWhenTheWriteEndClosesAndNotBefore() throws Exception {
        SupervisorLink link = SupervisorLink.create();
        int copy;
        try (Arena arena = Arena.ofConfined()) {
            // a worker's own copy of the read end, as a spawned worker would hold it
            copy = LibC.fcntl(LibC.newCallState(arena), link.workerEnd(), LibC.F_DUPFD_CLOEXEC, 10);
        }
        assertThat(copy).isGreaterThanOrEqualTo(10);
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                SupervisorLink.awaitSupervisorExit(copy);
                gone.complete(null);
            } catch (IOException e) {
                gone.completeExceptionally(e);
            }
        });
        assertThat(link.workerEnd()).isGreaterThanOrEqualTo(10);
        // proves a negative: nothing ends the wait while the supervisor lives
        assertThatThrownBy(() -> gone.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        link.close();
        gone.get(10, TimeUnit.SECONDS);
        try (Arena arena = Arena.ofConfined()) {
            LibC.close(LibC.newCallState(arena), copy);
        }
    }

    @Test
    void aDescriptorThatCannotBeReadIsAnErrorNotADeath() {
        assertThatThrownBy(() -> SupervisorLink.awaitSupervisorExit(100_000))
                .isInstanceOf(IOException.class).hasMessageContaining("EBADF");
    }

    @Test
    void sharedMemoryIsSeenThroughAnotherMappingOfTheDescriptor() throws Exception {
        try (SharedMemory memory = SharedMemory.create("supervisor-link-test", 64)) {
            assertThat(memory.fd()).isGreaterThanOrEqualTo(10);
            assertThat(NativeTesting.link(memory.fd())).startsWith("/memfd:supervisor-link-test");
            int copy;
            try (Arena arena = Arena.ofConfined()) {
                copy = LibC.fcntl(LibC.newCallState(arena), memory.fd(), LibC.F_DUPFD_CLOEXEC, 10);
            }
            SharedMemory other = SharedMemory.inherited(copy);
            assertThat(other.fd()).isEqualTo(-1);
            assertThat(other.segment().byteSize()).isEqualTo(64);
            other.segment().set(ValueLayout.JAVA_LONG, 8, 42L);
            assertThat(memory.segment().get(ValueLayout.JAVA_LONG, 8)).isEqualTo(42L);
            other.close();
            assertThatThrownBy(() -> other.segment().get(ValueLayout.JAVA_LONG, 8)).isInstanceOf(IllegalStateException.class);
            assertThat(memory.segment().get(ValueLayout.JAVA_LONG, 8)).isEqualTo(42L);
        }
    }
}
