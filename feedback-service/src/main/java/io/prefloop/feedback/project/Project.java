package io.prefloop.feedback.project;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A labeling campaign: what is compared (images or texts), how, and by how many labelers. */
@Entity
@Table(name = "projects")
public class Project {

    @Id
    private UUID id;

    private String name;

    private String modality;

    private String instructions;

    @Column(name = "judgments_per_pair")
    private int judgmentsPerPair;

    @Column(name = "allow_ties")
    private boolean allowTies;

    @Column(name = "created_at")
    private Instant createdAt;

    protected Project() {}

    public Project(UUID id, String name, Modality modality, String instructions, int judgmentsPerPair,
            boolean allowTies, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.modality = modality.json();
        this.instructions = instructions;
        this.judgmentsPerPair = judgmentsPerPair;
        this.allowTies = allowTies;
        this.createdAt = createdAt;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public Modality getModality() {
        return Modality.parse(modality);
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

    public Instant getCreatedAt() {
        return createdAt;
    }
}
