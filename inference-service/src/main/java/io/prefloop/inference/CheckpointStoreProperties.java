package io.prefloop.inference;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param root the checkpoint store shared with the trainer (a ReadWriteMany volume in Kubernetes) */
@ConfigurationProperties("prefloop.checkpoints")
public record CheckpointStoreProperties(@DefaultValue("./data/checkpoints") String root) {}
