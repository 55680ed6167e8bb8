package dev.stratus.ingress.protocol;

import io.netty.channel.EventLoop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/** Continuing on a connection's event loop after a store call. */
final class Stages {

    private Stages() {
    }

    /**
     * Runs {@code then} on {@code loop} once {@code stage} completes: at once when it already has (the memory
     * backend) and we are on that loop, otherwise as a task on the loop.
     */
    static <T> void onLoop(CompletionStage<T> stage, EventLoop loop, BiConsumer<? super T, ? super Throwable> then) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (f.isDone() && loop.inEventLoop()) {
            T value = null;
            Throwable error = null;
            try {
                value = f.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                error = e.getCause() == null ? e : e.getCause();
            }
            then.accept(value, error);
        } else {
            f.whenCompleteAsync(then, loop);
        }
    }
}
