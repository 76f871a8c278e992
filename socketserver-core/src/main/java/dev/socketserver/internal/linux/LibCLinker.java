package dev.socketserver.internal.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * How the {@code LibC*} classes link to libc through the Foreign Function and Memory API: the
 * native linker, the symbol lookup, the segment layout that captures errno, and the helpers that
 * turn a libc symbol into a method handle. Linux only.
 *
 * <p>Functions that report failure through errno are linked with {@link #errnoCall}, which writes
 * errno into a call-state segment ({@link LibC#newCallState}); those that return an error number
 * themselves (the {@code posix_spawn} family) or cannot fail, with {@link #plainCall}.
 */
final class LibCLinker {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private LibCLinker() {
    }

    /** A function that sets errno, linked to capture it; throws if libc lacks it. */
    static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    /**
     * A function that sets errno and never blocks, linked as a critical call: its pointer
     * arguments and its errno state may be Java arrays ({@link MemorySegment#ofArray}), so a call
     * allocates no native memory. Never for a call that may block: the JVM cannot reach a safepoint
     * while it runs.
     */
    static MethodHandle criticalErrnoCall(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option[] options = new Linker.Option[more.length + 2];
        options[0] = Linker.Option.critical(true);
        options[1] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 2, more.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** Like {@link #errnoCall}, or null if this libc lacks the function. */
    static MethodHandle optionalErrnoCall(String name, FunctionDescriptor descriptor) {
        return LOOKUP.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)).orElse(null);
    }

    /**
     * A variadic function that sets errno ({@code fcntl}, {@code syscall}), linked to capture it;
     * the arguments from {@code firstVariadic} on are the variadic ones.
     */
    static MethodHandle variadicErrnoCall(String name, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(), descriptor,
                Linker.Option.firstVariadicArg(firstVariadic), CAPTURE_ERRNO);
    }

    /** A function linked without capturing errno; throws if libc lacks it. */
    static MethodHandle plainCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    /** Like {@link #plainCall}, or null if this libc lacks the function. */
    static MethodHandle optionalPlainCall(String name, FunctionDescriptor descriptor) {
        return LOOKUP.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor)).orElse(null);
    }

    // ---- invoking the handles of a common shape: (segment) -> int and the like ------------------

    static int invokeInt(MethodHandle handle, MemorySegment segment) {
        try {
            return (int) handle.invokeExact(segment);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int invokeInt(MethodHandle handle, MemorySegment segment, MemorySegment other) {
        try {
            return (int) handle.invokeExact(segment, other);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int invokeInt(MethodHandle handle, MemorySegment segment, int value) {
        try {
            return (int) handle.invokeExact(segment, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int invokeInt(MethodHandle handle, MemorySegment state, MemorySegment segment, int value) {
        try {
            return (int) handle.invokeExact(state, segment, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
