package dev.socketserver;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which server takes which concurrency model is stated by the types, so the wrong pairing does not
 * compile: a datagram has no connection to hand to another process, so the datagram servers'
 * constructors take a {@link ThreadModel} only, never a {@link ProcessModel} (a process per
 * connection or worker processes); the stream servers take any {@link Concurrency}; and the inner
 * model of worker processes is a {@code ThreadModel}, so workers cannot nest processes. This used
 * to be refused at run time; the test checks the signatures that now refuse it at compile time.
 */
class ConcurrencyPairingTest {

    @Test
    void datagramServersTakeOnlyThreadModelsStreamServersTakeAnyModelAndWorkersRunAThreadModel() throws Exception {
        assertThat(Concurrency.class.isSealed()).isTrue();
        assertThat(Concurrency.class.getPermittedSubclasses()).containsExactlyInAnyOrder(ThreadModel.class, ProcessModel.class);
        assertThat(Modifier.isFinal(ThreadModel.class.getModifiers())).isTrue();
        assertThat(Modifier.isFinal(ProcessModel.class.getModifiers())).isTrue();

        for (Class<?> datagram : List.of(UdpServer.class, UnixDatagramServer.class)) {
            List<Constructor<?>> constructors = Arrays.asList(datagram.getConstructors());
            assertThat(constructors).as("%s's public constructors", datagram.getSimpleName())
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(acceptsAProcessModel(c)).as("%s accepts a ProcessModel", c).isFalse())
                    .allSatisfy(c -> assertThat(c.getParameterTypes()).as("%s", c).doesNotContain(Concurrency.class, ProcessModel.class))
                    .anySatisfy(c -> assertThat(c.getParameterTypes()).contains(ThreadModel.class));
        }

        for (Class<?> stream : List.of(TcpServer.class, UnixStreamServer.class)) {
            assertThat(stream.getConstructors()).as("%s's public constructors", stream.getSimpleName())
                    .anySatisfy(c -> assertThat(c.getParameterTypes()).contains(Concurrency.class))
                    .allSatisfy(c -> assertThat(c.getParameterTypes()).doesNotContain(ThreadModel.class));
        }

        List<Method> workerFactories = Arrays.stream(Concurrency.class.getMethods())
                .filter(m -> m.getName().equals("workerProcesses")).toList();
        assertThat(workerFactories).hasSize(3).allSatisfy(m -> {
            assertThat(acceptsAProcessModel(m)).as("%s accepts a ProcessModel as its inner model", m).isFalse();
            assertThat(m.getReturnType()).isEqualTo(ProcessModel.class);
        });
        assertThat(workerFactories).anySatisfy(m -> assertThat(m.getParameterTypes()).contains(ThreadModel.class));

        // the factories say what they make, so a ThreadModel variable needs no cast
        for (String threads : List.of("synchronous", "threads", "virtualThreads", "bounded")) {
            assertThat(Arrays.stream(Concurrency.class.getMethods()).filter(m -> m.getName().equals(threads)))
                    .as(threads).isNotEmpty().allSatisfy(m -> assertThat(m.getReturnType()).isEqualTo(ThreadModel.class));
        }
        assertThat(Arrays.stream(Concurrency.class.getMethods()).filter(m -> m.getName().equals("processPerConnection")))
                .isNotEmpty().allSatisfy(m -> assertThat(m.getReturnType()).isEqualTo(ProcessModel.class));
    }

    /** Whether any parameter of {@code e} could be given a {@link ProcessModel}: one of type ProcessModel, Concurrency or Object. */
    private static boolean acceptsAProcessModel(Executable e) {
        return Arrays.stream(e.getParameterTypes()).anyMatch(t -> t.isAssignableFrom(ProcessModel.class));
    }
}
