package io.securelake.lakewriter;

/**
 * Receives the writer's {@link WriterEvent}s. Called from the writer's thread and from its stall watchdog's thread,
 * so an implementation must be thread-safe; it should return quickly (the writer's loop waits for it).
 */
@FunctionalInterface
public interface WriterListener {
    void on(WriterEvent event);
}
