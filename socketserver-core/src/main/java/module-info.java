/**
 * socketserver for Java: TCP, UDP and Unix-socket servers with the shape of Python's
 * {@code socketserver} module.
 *
 * <p>The API lives in {@code dev.socketserver}; everything under {@code dev.socketserver.internal}
 * is implementation and is not exported.
 */
module dev.socketserver {
    requires transitive java.management;   // registerJmx returns an ObjectName
    requires jdk.unsupported;              // sun.misc.Signal: StopSignals catches SIGTERM and SIGINT

    exports dev.socketserver;
    exports dev.socketserver.async;
}
