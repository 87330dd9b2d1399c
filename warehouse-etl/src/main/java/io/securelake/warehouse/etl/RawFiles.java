package io.securelake.warehouse.etl;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The committed files of a dataset's raw zone: {@code dt=…[/hr=…]/part-….avro}. Files of open batches
 * ({@code _tmp/}) and commit manifests ({@code _commits/}) are not data; the lake-writer makes a file
 * visible under {@code dt=} only once it is complete.
 */
final class RawFiles {
    /** One committed raw file, the day it belongs to, and when it was committed (epoch ms). */
    record RawFile(String path, String dt, long modified) {
    }

    private RawFiles() {
    }

    static List<RawFile> list(FileSystem fs, String rawDir) throws IOException {
        List<RawFile> out = new ArrayList<>();
        Path root = new Path(rawDir);
        if (!fs.exists(root)) {
            return out;
        }
        for (FileStatus day : fs.listStatus(root)) {
            String name = day.getPath().getName();
            if (!day.isDirectory() || !name.startsWith("dt=")) {
                continue;
            }
            String dt = name.substring(3);
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(day.getPath(), true);
            while (files.hasNext()) {
                LocatedFileStatus f = files.next();
                String fileName = f.getPath().getName();
                if (fileName.endsWith(".avro") && !fileName.startsWith("_") && !fileName.startsWith(".")) {
                    out.add(new RawFile(Path.getPathWithoutSchemeAndAuthority(f.getPath()).toString(), dt,
                            f.getModificationTime()));
                }
            }
        }
        return out;
    }
}
