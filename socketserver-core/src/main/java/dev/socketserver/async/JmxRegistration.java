package dev.socketserver.async;

import dev.socketserver.ServerStats;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.StatsMBean;

import javax.management.JMException;
import javax.management.ObjectName;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;

/**
 * An {@link AsyncServer}'s statistics published over JMX, and withdrawn when it closes: the
 * name last registered is the one unregistered. Runs in the threads that call
 * {@link AsyncServer#registerJmx} and {@link AsyncServer#close()}.
 */
final class JmxRegistration {
    private static final System.Logger SERVER_LOG = System.getLogger(Loggers.SERVER);

    private volatile ObjectName registered;

    /** See {@link AsyncServer#registerJmx(String)}. */
    ObjectName register(String name, AsyncServer server) {
        try {
            ObjectName objectName = new ObjectName("dev.socketserver:type=Server,name=" + ObjectName.quote(name));
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new StatsMBean(ServerStats.class, server::stats, "statistics of " + server), objectName);
            registered = objectName;
            return objectName;
        } catch (JMException e) {
            throw new IllegalArgumentException("cannot register server statistics as '" + name + "' over JMX: " + e.getMessage(), e);
        }
    }

    /** Withdraws the statistics, if registered; a failure is only logged. */
    void unregister() {
        ObjectName name = registered;
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                SERVER_LOG.log(Level.DEBUG, "unregistering " + name + " failed", e);
            }
        }
    }
}
