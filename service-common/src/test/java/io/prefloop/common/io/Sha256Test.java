package io.prefloop.common.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void hashesBytesAndFilesAlike(@TempDir Path dir) throws Exception {
        byte[] abc = "abc".getBytes(StandardCharsets.UTF_8);
        assertThat(Sha256.hex(abc)).isEqualTo(ABC);
        assertThat(Sha256.digest(abc)).hasSize(32);
        assertThat(Sha256.hex(Files.write(dir.resolve("abc"), abc))).isEqualTo(ABC);
    }
}
