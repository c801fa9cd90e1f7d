package io.prefloop.trainer.campaign;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param poll how often campaigns are checked
 * @param lease how long a replica's claim on a campaign's tick lasts before another replica may take
 *     it over (it must outlast the slowest proposal)
 */
@ConfigurationProperties("prefloop.trainer.campaigns")
public record CampaignProperties(@DefaultValue("5s") Duration poll, @DefaultValue("15m") Duration lease) {}
