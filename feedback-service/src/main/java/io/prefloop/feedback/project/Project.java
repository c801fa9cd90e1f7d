package io.prefloop.feedback.project;

import java.time.Instant;
import java.util.UUID;

/** A labeling campaign: what is compared (images or texts), how, and by how many labelers. */
public class Project {

    private final UUID id;
    private final String name;
    private final Modality modality;
    private final String instructions;
    private final int judgmentsPerPair;
    private final boolean allowTies;
    private final Selection selection;
    private final Instant createdAt;

    public Project(UUID id, String name, Modality modality, String instructions, int judgmentsPerPair,
            boolean allowTies, Selection selection, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.modality = modality;
        this.instructions = instructions;
        this.judgmentsPerPair = judgmentsPerPair;
        this.allowTies = allowTies;
        this.selection = selection;
        this.createdAt = createdAt;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public Modality getModality() {
        return modality;
    }

    public String getInstructions() {
        return instructions;
    }

    public int getJudgmentsPerPair() {
        return judgmentsPerPair;
    }

    public boolean isAllowTies() {
        return allowTies;
    }

    public Selection getSelection() {
        return selection;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
