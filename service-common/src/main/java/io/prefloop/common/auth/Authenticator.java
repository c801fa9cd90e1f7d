package io.prefloop.common.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Resolves a bearer key to its caller: configured keys first, then the service's directory. */
public class Authenticator {

    private record Cached(Optional<Caller> caller, Instant expires) {}

    private final Map<String, Caller> configured = new ConcurrentHashMap<>();
    private final List<ApiKeyDirectory> directories;
    private final AuthProperties properties;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public Authenticator(AuthProperties properties, List<ApiKeyDirectory> directories, Clock clock) {
        this.properties = properties;
        this.directories = directories;
        this.clock = clock;
        if (!properties.adminKey().isBlank()) {
            configured.put(ApiKeys.hash(properties.adminKey()), new Caller("config:admin", "admin", Role.ADMIN));
        }
        if (!properties.serviceKey().isBlank()) {
            configured.put(ApiKeys.hash(properties.serviceKey()), new Caller("config:service", "service", Role.SERVICE));
        }
    }

    public Optional<Caller> authenticate(String key) {
        String hash = ApiKeys.hash(key);
        Caller fixed = configured.get(hash);
        if (fixed != null) {
            return Optional.of(fixed);
        }
        Instant now = clock.instant();
        Cached cached = cache.get(hash);
        if (cached != null && cached.expires().isAfter(now)) {
            return cached.caller();
        }
        Optional<Caller> found = directories.stream()
                .map(d -> d.findByKeyHash(hash))
                .flatMap(Optional::stream)
                .findFirst();
        if (cache.size() > 100_000) {
            cache.clear();
        }
        cache.put(hash, new Cached(found, now.plus(properties.cacheTtl())));
        return found;
    }

    /** Forgets cached lookups, e.g. after a key is revoked. */
    public void forget() {
        cache.clear();
    }
}
