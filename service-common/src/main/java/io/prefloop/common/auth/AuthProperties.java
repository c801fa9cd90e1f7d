package io.prefloop.common.auth;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param adminKey the first admin key ({@code PREFLOOP_ADMIN_KEY}); empty means no configured admin
 * @param serviceKey the key services call each other with ({@code PREFLOOP_SERVICE_KEY})
 * @param cacheTtl how long a looked-up key is trusted before it is looked up again
 */
@ConfigurationProperties("prefloop.auth")
public record AuthProperties(
        @DefaultValue("") String adminKey,
        @DefaultValue("") String serviceKey,
        @DefaultValue("30s") Duration cacheTtl) {}
