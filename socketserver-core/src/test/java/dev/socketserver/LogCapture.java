package dev.socketserver;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Captures what the library logs through {@link System.Logger} (the loggers of
 * {@link dev.socketserver.internal.Loggers}, which the JDK routes to java.util.logging) while it is
 * open, and keeps it off the console.
 *
 * <p>The tests are compiled as a patch of module {@code dev.socketserver}, which does not read
 * {@code java.logging}, so the JUL types cannot be named here. They run on the class path, where
 * they can be reached reflectively: a {@code java.util.logging.Filter} (an interface, so a proxy
 * can implement it) set on each logger sees every record that passes the logger's level.
 */
public final class LogCapture implements AutoCloseable {
    public static final String DASHES = "-".repeat(40);

    /** One captured record: the name of the logger it was logged to, its level, its message, and its exception if any. */
    public record Entry(String logger, String level, String message, Throwable thrown) {
    }

    private static final List<Object> LOGGERS;   // java.util.logging.Logger of each component, held strongly
    private static final Class<?> FILTER;
    private static final Method GET_FILTER;
    private static final Method SET_FILTER;
    private static final Method GET_LEVEL;
    private static final Method GET_MESSAGE;
    private static final Method GET_THROWN;
    private static final Method GET_LOGGER_NAME;
    private static final Method GET_LOGGER_LEVEL;
    private static final Method SET_LOGGER_LEVEL;
    private static final Object FINE;

    static {
        try {
            Class<?> logger = Class.forName("java.util.logging.Logger");
            Class<?> record = Class.forName("java.util.logging.LogRecord");
            FILTER = Class.forName("java.util.logging.Filter");
            Method getLogger = logger.getMethod("getLogger", String.class);
            List<Object> loggers = new java.util.ArrayList<>();
            for (String name : dev.socketserver.internal.Loggers.ALL) {
                loggers.add(getLogger.invoke(null, name));
            }
            LOGGERS = List.copyOf(loggers);
            GET_FILTER = logger.getMethod("getFilter");
            SET_FILTER = logger.getMethod("setFilter", FILTER);
            GET_LEVEL = record.getMethod("getLevel");
            GET_MESSAGE = record.getMethod("getMessage");
            GET_THROWN = record.getMethod("getThrown");
            GET_LOGGER_NAME = record.getMethod("getLoggerName");
            Class<?> level = Class.forName("java.util.logging.Level");
            GET_LOGGER_LEVEL = logger.getMethod("getLevel");
            SET_LOGGER_LEVEL = logger.getMethod("setLevel", level);
            FINE = level.getField("FINE").get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final List<Object> previousFilters = new java.util.ArrayList<>();
    private final List<Object> previousLevels = new java.util.ArrayList<>();

    public LogCapture() {
        this(null);
    }

    /** Captures as {@link #LogCapture()} does, and {@code DEBUG} records too (java.util.logging's {@code FINE}), which the default level drops. */
    public static LogCapture includingDebug() {
        LogCapture capture = new LogCapture(null);
        for (Object logger : LOGGERS) {
            capture.previousLevels.add(invoke(logger, GET_LOGGER_LEVEL));
            invoke(logger, SET_LOGGER_LEVEL, FINE);
        }
        return capture;
    }

    /**
     * Captures as {@link #LogCapture()} does, then makes every log call throw {@code failure}, as
     * a logging back end that cannot open a file or load a class would.
     */
    static LogCapture failingWith(Error failure) {
        return new LogCapture(failure);
    }

    private LogCapture(Error failure) {
        Object filter = Proxy.newProxyInstance(LogCapture.class.getClassLoader(), new Class<?>[] {FILTER}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "isLoggable" -> {
                        Object r = args[0];
                        entries.add(new Entry((String) GET_LOGGER_NAME.invoke(r), String.valueOf(GET_LEVEL.invoke(r)),
                                (String) GET_MESSAGE.invoke(r), (Throwable) GET_THROWN.invoke(r)));
                        if (failure != null) {
                            throw failure;
                        }
                        yield false;   // captured, not printed
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "LogCapture";
                });
        for (Object logger : LOGGERS) {
            previousFilters.add(invoke(logger, GET_FILTER));
            invoke(logger, SET_FILTER, filter);
        }
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The messages that are Python's error block (they start with 40 dashes). */
    public List<String> errorBlocks() {
        return errorBlockEntries().stream().map(Entry::message).toList();
    }

    /** The records of Python's error block, each with the exception it reports as its {@code thrown}. */
    public List<Entry> errorBlockEntries() {
        return entries.stream().filter(e -> e.message() != null && e.message().startsWith(DASHES)).toList();
    }

    @Override
    public void close() {
        for (int i = 0; i < LOGGERS.size(); i++) {
            invoke(LOGGERS.get(i), SET_FILTER, previousFilters.get(i));
        }
        for (int i = 0; i < previousLevels.size(); i++) {
            invoke(LOGGERS.get(i), SET_LOGGER_LEVEL, previousLevels.get(i));
        }
    }

    private static Object invoke(Object logger, Method method, Object... args) {
        try {
            return method.invoke(logger, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
