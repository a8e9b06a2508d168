# nanoGPT character-level Shakespeare: lr 1e-3 warmed up over 100 iterations, cosine to
# 1e-4 at iteration 5000 (nanoGPT's get_lr since 2024-12; `lrplot describe` shows the spec
# for the older lr*it/W warmup). Written for lrplot in the style of karpathy/nanoGPT
# config/train_shakespeare_char.py; read with ast, never executed.

out_dir = 'out-shakespeare-char'
eval_interval = 250
eval_iters = 200
log_interval = 10
always_save_checkpoint = False

dataset = 'shakespeare_char'
gradient_accumulation_steps = 1
batch_size = 64
block_size = 256

n_layer = 6
n_head = 6
n_embd = 384
dropout = 0.2

learning_rate = 1e-3
max_iters = 5000
lr_decay_iters = max_iters
min_lr = learning_rate / 10
beta2 = 0.99
warmup_iters = 100
