/**
 * A JUnit 5 test kit for socketserver: {@link dev.socketserver.junit.TestServer} serves a handler
 * or protocol of any server kind on the loopback for a test, records what clients send, and can
 * check for leaks; {@link dev.socketserver.junit.Script} scripts replies;
 * {@link dev.socketserver.junit.TestTls} gives tests TLS without a hand-built context.
 */
package dev.socketserver.junit;
