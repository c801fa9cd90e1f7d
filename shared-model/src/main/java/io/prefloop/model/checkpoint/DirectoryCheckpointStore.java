package io.prefloop.model.checkpoint;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint store on a file system (a Kubernetes PVC in production):
 * {@code <root>/<model>/<version>/model.safetensors} and {@code manifest.json}.
 *
 * <p>Publishing writes both files into {@code <root>/<model>/.tmp-<uuid>/}, forces them to disk,
 * then renames the directory to {@code <version>} in one atomic rename(2). A reader therefore never
 * sees half a checkpoint, and rename(2) refuses to replace a non-empty directory, so a published
 * version cannot be overwritten even by two publishers racing.
 */
public final class DirectoryCheckpointStore implements CheckpointStore {

    public static final String WEIGHTS = "model.safetensors";
    public static final String MANIFEST = "manifest.json";
    private static final String TMP_PREFIX = ".tmp-";
    private static final Pattern NUMBERED = Pattern.compile("v(\\d+)");

    private final Path root;

    public DirectoryCheckpointStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** The directory of a published checkpoint (for tools that want the files themselves). */
    public Path directory(CheckpointId id) {
        return root.resolve(id.model()).resolve(id.version());
    }

    @Override
    public Manifest publish(Manifest manifest, NDList weights) {
        CheckpointId id = manifest.id();
        Path target = directory(id);
        if (Files.exists(target)) {
            throw new CheckpointExistsException(id);
        }
        byte[] bytes = Safetensors.encode(weights);
        Manifest written = manifest.withWeightsSha256(sha256(bytes));
        if (written.createdAt() == null) {
            written = written.withCreatedAt(Instant.now());
        }
        Path modelDir = root.resolve(id.model());
        Path tmp = modelDir.resolve(TMP_PREFIX + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            DurableFiles.writeNew(tmp.resolve(WEIGHTS), bytes);
            DurableFiles.writeNew(tmp.resolve(MANIFEST), ManifestJson.write(written));
            try {
                DurableFiles.rename(tmp, target);
            } catch (AtomicMoveNotSupportedException e) {
                throw e;
            } catch (FileAlreadyExistsException e) {
                throw new CheckpointExistsException(id);
            } catch (FileSystemException e) {
                // ENOTEMPTY: someone published the same version between our check and the rename
                if (Files.exists(target)) {
                    throw new CheckpointExistsException(id);
                }
                throw e;
            }
            DurableFiles.forceDirectory(modelDir);
            return written;
        } catch (IOException e) {
            throw new CheckpointException("cannot publish " + id + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public Checkpoint load(CheckpointId id, NDManager manager) {
        Manifest manifest = manifest(id).orElseThrow(() -> new CheckpointNotFoundException(id));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(directory(id).resolve(WEIGHTS));
        } catch (IOException e) {
            throw new CheckpointException("cannot read weights of " + id, e);
        }
        String actual = sha256(bytes);
        if (!actual.equals(manifest.weightsSha256())) {
            throw new CheckpointIntegrityException(id, manifest.weightsSha256(), actual);
        }
        return new Checkpoint(manifest, Safetensors.decode(manager, bytes));
    }

    @Override
    public Optional<Manifest> manifest(CheckpointId id) {
        Path file = directory(id).resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ManifestJson.read(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new CheckpointException("cannot read manifest of " + id, e);
        }
    }

    @Override
    public boolean exists(CheckpointId id) {
        return Files.isRegularFile(directory(id).resolve(MANIFEST));
    }

    @Override
    public List<String> models() {
        List<String> names = new ArrayList<>();
        for (Path p : children(root)) {
            String name = p.getFileName().toString();
            if (!name.startsWith(".") && !list(name).isEmpty()) {
                names.add(name);
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    @Override
    public List<Manifest> list(String model) {
        CheckpointId.requireSafe("model", model);
        List<Manifest> out = new ArrayList<>();
        for (Path p : children(root.resolve(model))) {
            String version = p.getFileName().toString();
            if (!version.startsWith(".")) {
                manifest(new CheckpointId(model, version)).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparing(Manifest::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Manifest::version));
        return out;
    }

    @Override
    public String nextVersion(String model) {
        CheckpointId.requireSafe("model", model);
        int max = 0;
        for (Path p : children(root.resolve(model))) {
            Matcher m = NUMBERED.matcher(p.getFileName().toString());
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return String.format("v%04d", max + 1);
    }

    // a copy of service-common's Sha256.hex: this library does not depend on the services' common module
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a stale .tmp- directory is harmless: readers skip dot-directories
        }
    }
}
