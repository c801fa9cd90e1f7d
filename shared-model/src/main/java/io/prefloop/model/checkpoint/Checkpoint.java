package io.prefloop.model.checkpoint;

import ai.djl.ndarray.NDList;

/** A loaded checkpoint: its manifest and its named tensors (owned by the caller's manager). */
public record Checkpoint(Manifest manifest, NDList weights) {}
