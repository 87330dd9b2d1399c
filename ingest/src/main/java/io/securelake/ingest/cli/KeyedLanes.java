package io.securelake.ingest.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs tasks on a fixed number of threads, each task on the lane its key chooses: tasks with equal keys run
 * one after another in submission order, tasks with other keys may overlap. Each lane queues a bounded number
 * of tasks and {@link #submit} waits when the lane is full, so a fast reader cannot outrun the senders.
 *
 * <p>Why: the first event of each new customer waits for a key service round trip (its own data key); one
 * sending thread waited for them one at a time. Events of one key keep their order, and so their order in
 * the key's Kafka partition.
 */
final class KeyedLanes implements AutoCloseable {
    private static final Runnable STOP = () -> { };

    private final List<BlockingQueue<Runnable>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Throwable failure;

    KeyedLanes(int lanes, int capacity, String name) {
        if (lanes < 1 || capacity < 1) {
            throw new IllegalArgumentException("lanes and capacity must be positive: " + lanes + ", " + capacity);
        }
        for (int i = 0; i < lanes; i++) {
            BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(capacity);
            Thread t = new Thread(() -> drain(queue), name + "-" + i);
            t.setDaemon(true);
            queues.add(queue);
            threads.add(t);
            t.start();
        }
    }

    private void drain(BlockingQueue<Runnable> queue) {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (task == STOP) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
    }

    /** Queues {@code task} on the lane of {@code key} (null keys share lane 0); waits while that lane is full. */
    void submit(Object key, Runnable task) throws InterruptedException {
        int lane = key == null ? 0 : Math.floorMod(key.hashCode(), queues.size());
        queues.get(lane).put(task);
    }

    /** Runs everything submitted, then stops the lanes; rethrows the first task failure. */
    @Override
    public void close() throws InterruptedException {
        for (BlockingQueue<Runnable> q : queues) {
            q.put(STOP);
        }
        for (Thread t : threads) {
            t.join();
        }
        Throwable f = failure;
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }
}
