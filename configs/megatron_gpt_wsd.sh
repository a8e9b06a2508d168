# Megatron-LM GPT pretraining with warmup-stable-decay (WSD): 1% warmup, a long plateau,
# then a 20% minus_sqrt anneal to min-lr, counted in samples at a global batch of 512.
# Written for lrplot in the style of NVIDIA/Megatron-LM examples/gpt3/train_gpt3_175b_distributed.sh;
# lrplot reads the flags from the text and never runs the script.
export CUDA_DEVICE_MAX_CONNECTIONS=1
CHECKPOINT_PATH=$1
DATA_PATH=$2

GPT_MODEL_ARGS=(
    --num-layers 24
    --hidden-size 2048
    --num-attention-heads 16
    --seq-length 4096
    --max-position-embeddings 4096
)

TRAINING_ARGS=(
    --micro-batch-size 4
    --global-batch-size 512
    --train-iters 20000
    --weight-decay 0.1
    --clip-grad 1.0
    --bf16
    --lr 3.0e-4
    --min-lr 3.0e-5
    --lr-decay-style WSD
    --lr-wsd-decay-style minus_sqrt
    --lr-wsd-decay-iters 4000
    --lr-warmup-fraction .01
)

torchrun --nproc_per_node 8 pretrain_gpt.py \
    ${GPT_MODEL_ARGS[@]} \
    ${TRAINING_ARGS[@]} \
    --data-path $DATA_PATH \
    --save $CHECKPOINT_PATH --load $CHECKPOINT_PATH
