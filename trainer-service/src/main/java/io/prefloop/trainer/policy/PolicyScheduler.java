package io.prefloop.trainer.policy;

import io.prefloop.trainer.feedback.FeedbackUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Checks the policies every {@code prefloop.trainer.policies.poll} (default 10 s). */
@Component
class PolicyScheduler {

    private static final Logger log = LoggerFactory.getLogger(PolicyScheduler.class);

    private final Policies policies;

    PolicyScheduler(Policies policies) {
        this.policies = policies;
    }

    @Scheduled(fixedDelayString = "${prefloop.trainer.policies.poll:10s}")
    void tick() {
        try {
            policies.fireDue();
        } catch (FeedbackUnavailableException e) {
            log.warn("Policies not checked: {}", e.getMessage());
        }
    }
}
