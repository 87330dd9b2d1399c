package io.securelake.encryption.core;

import io.securelake.encryption.DekChangeListener;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the changes of a {@link DirectoryDekRepository} to listeners: the kernel reports each file created in a KEK
 * directory (inotify on Linux, through the JDK's {@link WatchService}), and a new revision file of a DEK is a change
 * of that DEK, whichever process made it. One thread per repository, running while somebody listens.
 */
final class DirectoryWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatch.class);

    private final Path root;
    private final CopyOnWriteArrayList<DekChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    private WatchService service;
    private Thread thread;
    /** False once the watch has failed: changes then reach subscribers only at cache expiry, and they are told so. */
    private volatile boolean watching;

    DirectoryWatch(Path root) {
        this.root = root;
    }

    /**
     * Registers the listener; starts the watch if it is not running (again, after a failure). When the kernel refuses
     * a watch (e.g. the per-user inotify limit), the listener is not registered and {@link DekRepository.Subscription#NONE}
     * says so: the subscriber then relies on its cache expiry, as with a repository that cannot push.
     */
    DekRepository.Subscription subscribe(DekChangeListener listener) {
        synchronized (lifecycle) {
            if (!watching) {
                stop();
                try {
                    start();
                } catch (UncheckedIOException e) {
                    LOG.warn("changes of the DEK repository {} are not pushed to this process (its cached keys expire"
                            + " instead): {}", root, e.getMessage());
                    return DekRepository.Subscription.NONE;
                }
            }
            listeners.add(listener);
        }
        return new DekRepository.Subscription() {
            @Override
            public boolean pushes() {
                return watching;
            }

            @Override
            public void close() {
                unsubscribe(listener);
            }
        };
    }

    private void unsubscribe(DekChangeListener listener) {
        synchronized (lifecycle) {
            listeners.remove(listener);
            if (listeners.isEmpty()) {
                stop();
            }
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            listeners.clear();
            stop();
        }
    }

    private void start() {
        WatchService watcher = null;
        try {
            watcher = root.getFileSystem().newWatchService();
            Map<WatchKey, String> kekOfKey = new HashMap<>();
            root.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path dir : (Iterable<Path>) dirs::iterator) {
                    if (Files.isDirectory(dir)) {
                        kekOfKey.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE), dir.getFileName().toString());
                    }
                }
            }
            WatchService started = watcher;
            service = started;
            watching = true;
            thread = new Thread(() -> run(started, kekOfKey), "dek-repository-watch");
            thread.setDaemon(true);
            thread.start();
        } catch (IOException e) {
            if (watcher != null) {
                try {
                    watcher.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new UncheckedIOException("cannot watch the DEK repository " + root + " for changes", e);
        }
    }

    private void stop() {
        watching = false;
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                LOG.debug("closing the watch of {}", root, e);
            }
            service = null;
            thread = null;
        }
    }

    /** A new revision file of a DEK is a change of it; revision 1 is a new DEK, which nobody has cached. */
    private void report(String kek, String fileName) {
        Matcher m = DirectoryDekRepository.DEK_FILE.matcher(fileName);
        if (m.matches() && m.group(2) != null) {
            DekId id = DekId.fromHex(m.group(1));
            listeners.forEach(l -> l.changed(kek, id));
        }
    }

    private void run(WatchService watcher, Map<WatchKey, String> kekOfKey) {
        try {
            while (true) {
                WatchKey key = watcher.take();
                String kek = kekOfKey.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        listeners.forEach(DekChangeListener::changedAll);
                    } else if (kek == null) {
                        Path dir = root.resolve((Path) event.context());
                        if (Files.isDirectory(dir)) {
                            String newKek = dir.getFileName().toString();
                            kekOfKey.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE), newKek);
                            // Changes may have been made in it before it was watched.
                            try (Stream<Path> files = Files.list(dir)) {
                                files.forEach(file -> report(newKek, file.getFileName().toString()));
                            }
                        }
                    } else {
                        report(kek, event.context().toString());
                    }
                }
                if (!key.reset()) {
                    kekOfKey.remove(key);
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // unsubscribed or closed
        } catch (IOException | RuntimeException e) {
            // Subscribers learn it from pushes(); the next subscription starts a new watch.
            watching = false;
            LOG.warn("the watch of DEK repository {} stopped: changes made by other processes now reach this one only"
                    + " when its cached keys expire", root, e);
            listeners.forEach(DekChangeListener::changedAll);
        }
    }
}
