"""BERT's encoder (post-LN, GELU, learned positions; what all-MiniLM-L6-v2 is) in plain torch, reading the Hugging
Face weight names, so fine-tuning (finetune.py) needs no transformers where it runs; convert.py puts the weights
back into transformers' BertModel and checks ONNX against it. token_type_ids are 0 (as the service's ONNX graph
feeds them); the pooler is not used.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, d, heads, ffn, eps):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.up = nn.Linear(d, ffn)
        self.down = nn.Linear(ffn, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x, bias):
        b, t, d = x.shape
        h = self.heads
        split = lambda y: y.view(b, t, h, d // h).transpose(1, 2)  # noqa: E731
        a = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=bias)
        x = self.ln1(x + self.o(a.transpose(1, 2).reshape(b, t, d)))
        return self.ln2(x + self.down(F.gelu(self.up(x))))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, eps = cfg['hidden_size'], cfg.get('layer_norm_eps', 1e-12)
        if cfg.get('hidden_act', 'gelu') != 'gelu' or cfg.get('position_embedding_type', 'absolute') != 'absolute':
            raise ValueError('bert.py covers BERT with gelu and absolute positions; this model has %s / %s'
                             % (cfg.get('hidden_act'), cfg.get('position_embedding_type')))
        self.hidden = d
        self.word = nn.Embedding(cfg['vocab_size'], d)
        self.pos = nn.Embedding(cfg['max_position_embeddings'], d)
        self.type0 = nn.Parameter(torch.zeros(d))  # token type 0's embedding (the only type fed)
        self.ln = nn.LayerNorm(d, eps=eps)
        self.layers = nn.ModuleList(Layer(d, cfg['num_attention_heads'], cfg['intermediate_size'], eps)
                                    for _ in range(cfg['num_hidden_layers']))

    def forward(self, ids, mask):
        t = ids.shape[1]
        x = self.ln(self.word(ids) + self.pos(torch.arange(t, device=ids.device))[None] + self.type0)
        bias = torch.zeros(mask.shape, dtype=x.dtype, device=x.device).masked_fill(mask == 0, -1e4 if x.dtype == torch.float16 else -1e9)
        bias = bias[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        return x

    # Hugging Face names (without the "bert." prefix) <-> ours
    def hf_names(self):
        m = {'embeddings.word_embeddings.weight': 'word.weight', 'embeddings.position_embeddings.weight': 'pos.weight',
             'embeddings.LayerNorm.weight': 'ln.weight', 'embeddings.LayerNorm.bias': 'ln.bias'}
        for i in range(len(self.layers)):
            p, q = 'encoder.layer.%d.' % i, 'layers.%d.' % i
            for hf, ours in (('attention.self.query', 'q'), ('attention.self.key', 'k'), ('attention.self.value', 'v'),
                             ('attention.output.dense', 'o'), ('attention.output.LayerNorm', 'ln1'),
                             ('intermediate.dense', 'up'), ('output.dense', 'down'), ('output.LayerNorm', 'ln2')):
                for w in ('weight', 'bias'):
                    m['%s%s.%s' % (p, hf, w)] = '%s%s.%s' % (q, ours, w)
        return m

    def load_hf(self, state):
        """state: {hf name: array}; returns the names it did not use (the pooler, position ids)."""
        names = self.hf_names()
        own = dict(self.named_parameters())
        with torch.no_grad():
            for hf, ours in names.items():
                if hf not in state:
                    raise KeyError('weights lack %s' % hf)
                own[ours].copy_(torch.as_tensor(state[hf]).float())
            tt = state.get('embeddings.token_type_embeddings.weight')
            if tt is not None:
                self.type0.copy_(torch.as_tensor(tt[0]).float())
        used = set(names) | {'embeddings.token_type_embeddings.weight'}
        return sorted(k for k in state if k not in used)

    def hf_state(self, template):
        """our weights under the Hugging Face names of `template` (a BertModel state_dict): token type 0 replaced."""
        out = dict(template)
        own = dict(self.named_parameters())
        for hf, ours in self.hf_names().items():
            out[hf] = own[ours].detach().float().cpu()
        tt = out.get('embeddings.token_type_embeddings.weight')
        if tt is not None:
            tt = tt.clone()
            tt[0] = self.type0.detach().float().cpu()
            out['embeddings.token_type_embeddings.weight'] = tt
        return out
