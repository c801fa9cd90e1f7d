package io.prefloop.feedback.candidate;

import io.prefloop.common.auth.Public;
import io.prefloop.common.web.ApiException;
import java.time.Duration;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves stored PNGs at {@code /v1/images/<sha256>.png}. The URL is the content's hash, so it
 * never changes meaning and may be cached forever; it is public so that exports and {@code <img>}
 * tags work without a key (knowing the URL means having been given it).
 */
@RestController
@Public
class ImageController {

    private final JdbcClient jdbc;

    ImageController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/v1/images/{sha256}.png")
    ResponseEntity<byte[]> image(@PathVariable String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw ApiException.invalid("sha256", "must be 64 lowercase hex digits");
        }
        byte[] png = jdbc.sql("select png from images where sha256 = ?").param(sha256).query(byte[].class).optional()
                .orElseThrow(() -> ApiException.notFound("Image", sha256));
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG)
                .cacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable())
                .eTag(sha256).body(png);
    }
}
