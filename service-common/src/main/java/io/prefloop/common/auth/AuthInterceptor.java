package io.prefloop.common.auth;

import io.prefloop.common.web.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.Optional;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates {@code Authorization: Bearer <key>} and checks the handler's {@link Allow}
 * roles: 401 without a valid key, 403 with a key of the wrong role.
 */
public class AuthInterceptor implements HandlerInterceptor {

    public static final String CALLER_ATTRIBUTE = Caller.class.getName();

    private final Authenticator authenticator;

    public AuthInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        if (!(handler instanceof HandlerMethod method) || isPublic(method)) {
            return true;
        }
        Allow allow = method.getMethodAnnotation(Allow.class);
        if (allow == null) {
            allow = method.getBeanType().getAnnotation(Allow.class);
        }
        if (allow == null) {
            return true; // not an API endpoint of ours (actuator, OpenAPI docs, error page)
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            response.setHeader("WWW-Authenticate", "Bearer");
            ProblemWriter.write(response, 401, "Unauthorized", "Send an API key as 'Authorization: Bearer <key>'");
            return false;
        }
        Optional<Caller> caller = authenticator.authenticate(header.substring(7).trim());
        if (caller.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            ProblemWriter.write(response, 401, "Unauthorized", "The API key is not valid");
            return false;
        }
        if (Arrays.stream(allow.value()).noneMatch(caller.get()::is)) {
            ProblemWriter.write(response, 403, "Forbidden", "Role '" + caller.get().role().json()
                    + "' may not call this endpoint; allowed: " + Arrays.toString(allow.value()).toLowerCase());
            return false;
        }
        request.setAttribute(CALLER_ATTRIBUTE, caller.get());
        return true;
    }

    private static boolean isPublic(HandlerMethod method) {
        return method.hasMethodAnnotation(Public.class) || method.getBeanType().isAnnotationPresent(Public.class);
    }
}
