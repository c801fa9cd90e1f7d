package io.prefloop.model.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch records autograd graphs per thread, and a new thread starts with recording on; DJL turns
 * it off only on the thread that loads the engine, and its GradientCollector restores whatever it
 * found. A worker or request thread of our own must turn it off once, or every forward pass outside
 * a collector (reference models, evaluation, sampling) builds a graph it never uses: memory and time.
 */
public final class GradientRecording {

    private GradientRecording() {}

    public static void offForThisThread() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setGradMode(false);
        }
    }
}
