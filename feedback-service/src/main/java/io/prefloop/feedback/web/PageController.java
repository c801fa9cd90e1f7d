package io.prefloop.feedback.web;

import io.prefloop.common.auth.Public;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The labeling page and the admin dashboard: static HTML whose scripts call the JSON API with
 * the key the person signs in with. The pages themselves hold no data, so they are public; the
 * policy below lets them load only this service's own scripts, styles, images and API.
 */
@Controller
@Public
class PageController {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @GetMapping("/label")
    ResponseEntity<Resource> label() {
        return page("label.html");
    }

    @GetMapping("/dashboard")
    ResponseEntity<Resource> dashboard() {
        return page("dashboard.html");
    }

    private static ResponseEntity<Resource> page(String name) {
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .body(new ClassPathResource("pages/" + name));
    }
}
