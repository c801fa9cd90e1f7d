package io.prefloop.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class NativeMemoryTest {

    @Test
    void countsTheArraysStillOpenUnderAnyManagerAndForgetsClosedOnes() {
        NativeMemory before = NativeMemory.now();
        try (NDManager m = NDManager.newBaseManager(); NDManager sub = m.newSubManager()) {
            sub.zeros(new Shape(1000, 250)); // 1 MB of float32
            NativeMemory open = NativeMemory.now();
            assertThat(open.liveArrays()).isEqualTo(before.liveArrays() + 1);
            assertThat(open.liveBytes()).isEqualTo(before.liveBytes() + 1_000_000);
        }
        assertThat(NativeMemory.now().liveArrays()).isEqualTo(before.liveArrays());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsTheResidentSetAndTrimsTheNativeHeap() {
        NativeMemory now = NativeMemory.now();
        assertThat(now.residentBytes()).isGreaterThan(10L << 20);
        assertThat(now.summary()).matches("live arrays [\\d,]+ \\([\\d.]+ MB\\), RSS [\\d,]+ MB");
        try (NDManager m = NDManager.newBaseManager()) {
            m.zeros(new Shape(64, 1 << 20)).close(); // 256 MB allocated and freed
        }
        assertThat(NativeHeap.trim()).hasValueSatisfying(report -> assertThat(report).contains("RSS"));
    }
}
