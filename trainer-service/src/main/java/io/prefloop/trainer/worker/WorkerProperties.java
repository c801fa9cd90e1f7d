package io.prefloop.trainer.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param count training workers in this process (one per GPU on GPU pods; 0 for an API-only pod)
 * @param lease how long a claimed job stays with its worker without a heartbeat
 * @param heartbeat how often a running worker renews its lease
 * @param poll how often an idle worker looks for a job
 * @param device where workers train: auto, cpu, gpu or gpu:N (see {@link io.prefloop.model.nn.DeviceSetting})
 */
@ConfigurationProperties("prefloop.trainer.workers")
public record WorkerProperties(
        @DefaultValue("1") int count,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("10s") Duration heartbeat,
        @DefaultValue("1s") Duration poll,
        @DefaultValue("auto") String device) {}
