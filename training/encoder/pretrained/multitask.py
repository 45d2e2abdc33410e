"""The encoder's supervised multi-task objective for finetune.py, with torch only (it runs on a bare GPU machine
too): heads on the mean-pooled, L2-normalised output (what the service hands to the text heads), human vs LLM
BCE, the four roles' cross-entropy where known, 4 x PR MSE where known."""
import torch
import torch.nn as nn
import torch.nn.functional as F

ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender']


class Heads(nn.Module):
    """Probe heads on the mean-pooled, L2-normalised output (what the service hands to the text heads)."""

    def __init__(self, d):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(10.0))
        self.llm = nn.Linear(d, 1)
        self.role = nn.Linear(d, len(ROLES))
        self.pr = nn.Linear(d, 1)

    def forward(self, pooled):
        z = F.normalize(pooled, dim=-1) * self.scale
        return self.llm(z).squeeze(-1), self.role(z), self.pr(z).squeeze(-1)


def sup_losses(heads, pooled, y_llm, y_role, y_pr):
    o_llm, o_role, o_pr = heads(pooled)
    total = pooled.new_zeros(())
    parts = {}
    m = y_llm >= 0
    if m.any():
        parts['llm'] = F.binary_cross_entropy_with_logits(o_llm[m], y_llm[m].float())
        total = total + parts['llm']
    m = y_role >= 0
    if m.any():
        parts['role'] = F.cross_entropy(o_role[m], y_role[m])
        total = total + parts['role']
    m = ~torch.isnan(y_pr)
    if m.any():
        parts['pr'] = F.mse_loss(torch.sigmoid(o_pr[m]), y_pr[m]) * 4.0
        total = total + parts['pr']
    return total, parts, (o_llm, o_role, o_pr)
