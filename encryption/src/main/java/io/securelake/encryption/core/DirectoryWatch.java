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

    DirectoryWatch(Path root) {
        this.root = root;
    }

    DekRepository.Subscription subscribe(DekChangeListener listener) {
        synchronized (lifecycle) {
            if (service == null) {
                start();
            }
            listeners.add(listener);
        }
        return () -> unsubscribe(listener);
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
        try {
            WatchService watcher = root.getFileSystem().newWatchService();
            Map<WatchKey, String> kekOfKey = new HashMap<>();
            root.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path dir : (Iterable<Path>) dirs::iterator) {
                    if (Files.isDirectory(dir)) {
                        kekOfKey.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE), dir.getFileName().toString());
                    }
                }
            }
            service = watcher;
            thread = new Thread(() -> run(watcher, kekOfKey), "dek-repository-watch");
            thread.setDaemon(true);
            thread.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch the DEK repository " + root + " for changes", e);
        }
    }

    private void stop() {
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
            LOG.warn("the watch of DEK repository {} stopped: changes made by other processes now reach this one only"
                    + " when its cached keys expire", root, e);
            listeners.forEach(DekChangeListener::changedAll);
        }
    }
}
