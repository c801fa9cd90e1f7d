package io.prefloop.trainer.registry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param root the checkpoint store's directory (a ReadWriteMany volume in Kubernetes) */
@ConfigurationProperties("prefloop.checkpoints")
public record CheckpointStoreProperties(@DefaultValue("./data/checkpoints") String root) {}
