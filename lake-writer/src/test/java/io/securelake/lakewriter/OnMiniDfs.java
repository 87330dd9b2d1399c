package io.securelake.lakewriter;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writer tests on one real NameNode and DataNode per test class: starting a MiniDFSCluster takes seconds, each test
 * gets a fresh topic log and state directory of its own instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnMiniDfs {
    WriterFixture fx;

    @BeforeAll
    void startHdfs(@TempDir Path hdfsDir) throws IOException {
        fx = new WriterFixture(hdfsDir);
    }

    @AfterAll
    void stopHdfs() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }
}
