/**
 * The data-loading part of the exported Python training script: readers for the formats Layerbench trains
 * on, as main/data reads them (IDX files as in MNIST, including the bundled digits; CIFAR-10/100 binary batches,
 * archived or extracted; a folder of images with one sub-folder per class), the stratified validation split,
 * `--limit`, and the tf.data input pipeline. An image folder is listed, not read: tf.data decodes each image
 * when its batch needs it, so a folder larger than memory trains.
 */
export const PYTHON_DATA = `
# ---------------------------------------------------------------------------------------------------------
# Data: the formats Layerbench reads. Pixels stay uint8 until the input pipeline scales them to 0..1.

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


def read_idx(path):
    """An IDX file (MNIST's format), optionally gzipped: magic, dimensions, then unsigned bytes."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_idx_pair(images_file):
    """An images file and the labels file beside it (train-images-idx3-ubyte -> train-labels-idx1-ubyte)."""
    folder, name = os.path.split(images_file)
    wanted = re.sub(r"images([-.])idx3", r"labels\\1idx1", name, flags=re.I).removesuffix(".gz").lower()
    labels = [f for f in os.listdir(folder or ".") if f.lower().removesuffix(".gz") == wanted]
    if not labels:
        raise ValueError(f"{images_file}: no labels file beside it (expected {wanted}[.gz])")
    x = read_idx(images_file)
    return x.reshape(x.shape[0], x.shape[1], x.shape[2], -1), read_idx(os.path.join(folder, labels[0])).astype(np.int64)


def load_idx(path):
    """A folder in the MNIST layout (train-images-idx3-ubyte[.gz] ... and the t10k- test pair), or one images file."""
    if os.path.isfile(path):
        return read_idx_pair(path), None
    found = {}
    for name in sorted(os.listdir(path)):
        match = re.match(r"^(.*)images[-.]idx3[-.]ubyte(\\.gz)?$", name, flags=re.I)
        if match:
            part = "test" if match.group(1).lower().startswith(("t10k", "test")) else "train"
            found.setdefault(part, read_idx_pair(os.path.join(path, name)))
    if "train" not in found:
        raise ValueError(f"{path}: no training images file (named like train-images-idx3-ubyte)")
    return found["train"], found.get("test")


def cifar_files(path):
    """Batch files by name from the archive as distributed (.tar.gz), its extracted folder, or one batch file."""
    if os.path.isfile(path) and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            return {os.path.basename(m.name): archive.extractfile(m).read() for m in archive.getmembers() if m.isfile() and m.name.endswith(".bin")}
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return {os.path.basename(path): f.read()}
    files = {}
    for folder in (path, os.path.join(path, "cifar-10-batches-bin"), os.path.join(path, "cifar-100-binary")):
        for file in glob.glob(os.path.join(folder, "*.bin")):
            with open(file, "rb") as f:
                files[os.path.basename(file)] = f.read()
    return files


def read_cifar_records(data, label_bytes, label_index):
    """Records of label byte(s), then the 32x32 red, green and blue planes."""
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, label_bytes + 3 * 32 * 32)
    x = raw[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return x, raw[:, label_index].astype(np.int64)


def load_cifar(path, variant):
    """CIFAR-10 (data_batch_N.bin, test_batch.bin) or CIFAR-100 (train.bin, test.bin; coarse or fine labels)."""
    files = cifar_files(path)
    if variant == "cifar10":
        train_names, test_name, label_bytes, label_index = sorted(f for f in files if f.startswith("data_batch_")), "test_batch.bin", 1, 0
    else:
        train_names, test_name, label_bytes, label_index = ["train.bin"], "test.bin", 2, 0 if CIFAR100_LABELS == "coarse" else 1
    parts = [read_cifar_records(files[f], label_bytes, label_index) for f in train_names if f in files]
    if not parts:
        raise ValueError(f"{path}: no training batch files of {variant}")
    train = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    test = read_cifar_records(files[test_name], label_bytes, label_index) if test_name in files else None
    return train, test


def read_image(file, mode, width, height):
    from PIL import Image, ImageOps  # pillow: only needed for image folders

    with Image.open(file) as image:
        image = image.convert(mode)
        if image.size != (width, height):
            if RESIZE == "crop":  # scaled to cover the size, the centre kept
                image = ImageOps.fit(image, (width, height), Image.BILINEAR)
            elif RESIZE == "pad":  # scaled to fit inside the size, the rest black
                image = ImageOps.pad(image, (width, height), Image.BILINEAR, color=0)
            else:  # stretched to the size
                image = image.resize((width, height), Image.BILINEAR)
        return np.asarray(image, dtype=np.uint8).reshape(height, width, -1)


def list_class_folders(root, classes):
    """The image files of each class folder, in a fixed order (classes, then sorted paths), and their labels."""
    files, labels = [], []
    for index, name in enumerate(classes):
        for folder, subfolders, names in os.walk(os.path.join(root, name)):
            subfolders.sort()
            for file in sorted(names):
                if file.lower().endswith(IMAGE_EXTENSIONS) and not file.startswith("."):
                    files.append(os.path.join(folder, file))
                    labels.append(index)
    if not files:
        raise ValueError(f"{root}: no images found in the class folders {classes}")
    return np.array(files), np.array(labels, dtype=np.int64)


def read_image_file(file):
    """One listed image as uint8 pixels of INPUT_SHAPE (called by tf.data while training)."""
    height, width, channels = INPUT_SHAPE
    name = file.decode() if isinstance(file, bytes) else str(file)
    return read_image(name, "L" if channels == 1 else "RGB", width, height)


def load_image_folder(root):
    """One sub-folder per class (named as the class), or train/ and test/ folders each holding those.

    x is the list of image files: they are decoded by the input pipeline (to_dataset), a batch at a time.
    """
    train_root, test_root = root, None
    if os.path.isdir(os.path.join(root, "train")) and os.path.isdir(os.path.join(root, "test")):
        train_root, test_root = os.path.join(root, "train"), os.path.join(root, "test")
    classes = CLASS_NAMES or sorted(d for d in os.listdir(train_root) if os.path.isdir(os.path.join(train_root, d)) and not d.startswith("."))
    train = list_class_folders(train_root, classes)
    return train, list_class_folders(test_root, classes) if test_root else None


def load_data(kind, path):
    """Returns (x_train, y_train), (x_test, y_test) or None; x as uint8 [n, height, width, channels], or file paths."""
    if kind == "idx":
        train, test = load_idx(path)
    elif kind in ("cifar10", "cifar100"):
        train, test = load_cifar(path, kind)
    elif kind == "folder":
        train, test = load_image_folder(path)
    else:
        raise ValueError(f"unknown dataset kind {kind!r}; use idx, cifar10, cifar100 or folder")
    if kind != "folder" and train[0].shape[1:] != INPUT_SHAPE:
        raise ValueError(f"{path}: images are {train[0].shape[1:]} but the model takes {INPUT_SHAPE}")
    return train, test


def stratified_split(x, y, validation, seed):
    """Holds out a fraction (below 1) or a count of images for validation, each class in proportion.

    Keras's own validation_split takes the last samples unshuffled; like Layerbench, this draws them at
    random per class (the draw differs from Layerbench's, which uses its own random generator).
    """
    if validation <= 0:
        return (x, y), None
    wanted = round(len(y) * validation) if validation < 1 else int(validation)
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        held.extend(members[: round(len(members) * wanted / len(y))])
    mask = np.zeros(len(y), dtype=bool)
    mask[np.array(held, dtype=np.int64)] = True
    return (x[~mask], y[~mask]), (x[mask], y[mask])


def limit_images(data, limit, seed):
    """At most limit images, drawn at random (seeded) and kept in their order: for a quick try."""
    if data is None or limit is None or limit >= len(data[1]):
        return data
    keep = np.sort(np.random.default_rng(seed).choice(len(data[1]), size=limit, replace=False))
    return data[0][keep], data[1][keep]


def to_dataset(x, y, batch_size, training, seed):
    """A tf.data pipeline: decode listed image files, scale to 0..1, one-hot labels where the loss needs them,
    augment training batches."""
    num_classes = len(CLASS_NAMES) if CLASS_NAMES else int(y.max()) + 1
    labels = keras.utils.to_categorical(y, num_classes) if ONE_HOT_LABELS else y
    files = x.dtype.kind in "US"
    ds = tf.data.Dataset.from_tensor_slices((x, labels))
    if training:
        ds = ds.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)

    def decode(file, label):
        # Each file read by read_image (Pillow, fitted by RESIZE), in the listed order: map keeps it.
        image = tf.numpy_function(read_image_file, [file], tf.uint8, stateful=False)
        image.set_shape(INPUT_SHAPE)
        return image, label

    if files:
        ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE)

    def prepare(image, label):
        image = tf.cast(image, tf.float32) / 255.0
        if training and HORIZONTAL_FLIP:
            image = tf.image.random_flip_left_right(image)
        if training and SHIFT_PIXELS > 0:
            # Shift by up to SHIFT_PIXELS in each direction, the border filled with zeros.
            padded = tf.pad(image, [[SHIFT_PIXELS, SHIFT_PIXELS], [SHIFT_PIXELS, SHIFT_PIXELS], [0, 0]])
            image = tf.image.random_crop(padded, INPUT_SHAPE)
        return image, label

    return ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(tf.data.AUTOTUNE)
`;
