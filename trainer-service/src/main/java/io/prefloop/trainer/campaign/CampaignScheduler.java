package io.prefloop.trainer.campaign;

import java.util.UUID;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Ticks every active campaign every {@code prefloop.trainer.campaigns.poll} (default 5 s). Each
 * campaign is claimed first, so with several replicas exactly one ticks it at a time.
 */
@Component
class CampaignScheduler {

    private final CampaignRecords records;
    private final CampaignTick tick;
    private final CampaignProperties properties;

    CampaignScheduler(CampaignRecords records, CampaignTick tick, CampaignProperties properties) {
        this.records = records;
        this.tick = tick;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${prefloop.trainer.campaigns.poll:5s}")
    void tickAll() {
        for (UUID id : records.active()) {
            if (records.claim(id, properties.lease())) {
                try {
                    tick.run(id);
                } finally {
                    records.release(id);
                }
            }
        }
    }
}
