package dev.socketserver.internal;

import javax.management.JMException;
import javax.management.ObjectName;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * A server's statistics published over JMX as {@code dev.socketserver:type=Server,name=<name>},
 * until the server closes. Registration runs in the caller of {@code registerJmx}; unregistration
 * in the thread that closes the server.
 */
public final class JmxRegistration {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);

    // volatile: registered in one thread, unregistered by whichever thread closes the server
    private volatile ObjectName registered;

    /**
     * Registers {@code stats}, a supplier of records of {@code type}, under {@code name}.
     *
     * @throws IllegalArgumentException if the name is not usable in an object name or is taken
     */
    public ObjectName register(String name, Class<? extends Record> type, Supplier<? extends Record> stats, String description) {
        try {
            ObjectName objectName = new ObjectName("dev.socketserver:type=Server,name=" + ObjectName.quote(name));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new StatsMBean(type, stats, description), objectName);
            registered = objectName;
            return objectName;
        } catch (JMException e) {
            throw new IllegalArgumentException("cannot register server statistics as '" + name + "' over JMX: " + e.getMessage(), e);
        }
    }

    /** Unregisters what {@link #register} registered, if anything; a failure is logged at {@code DEBUG}. */
    public void unregister() {
        ObjectName name = registered;
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                LOG.log(Level.DEBUG, "unregistering " + name + " failed", e);
            }
        }
    }
}
