"""The fixed code words of the public contract (shared/contract/README.md).

Every closed vocabulary the case, the knowledge pack and the outputs use is declared here once, as
a ``Literal`` type, so the case model, the pack schema and the engine cannot drift apart. Words may
be added; none may be renamed or dropped.
"""

from __future__ import annotations

from typing import Literal, get_args

Sex = Literal["female", "male", "other"]
PainSite = Literal[
    "low_back", "buttock", "posterior_thigh", "groin", "hip", "leg_below_knee", "foot"
]
ProvocationTest = Literal[
    "distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen", "faber"
]
Modality = Literal["xray", "mri", "ct"]
Region = Literal["sij", "spine", "hip", "pelvis"]
Finding = Literal[
    "normal",
    "sclerosis",
    "erosions",
    "bone_marrow_edema",
    "ankylosis",
    "joint_space_narrowing",
    "syndesmophytes",
    "disc_herniation",
    "spinal_stenosis",
    "facet_arthropathy",
    "hip_osteoarthritis",
    "fracture",
    "equivocal",
    "sacroiliitis",
    "degenerative_disc_disease",
]
Laterality = Literal["left", "right", "bilateral"]
HlaB27 = Literal["positive", "negative"]
TreatmentType = Literal[
    "nsaid",
    "cox2_inhibitor",
    "physical_therapy",
    "manual_therapy",
    "sij_belt",
    "activity_modification",
    "tnfi",
    "il17i",
    "jaki",
    "csdmard",
    "systemic_glucocorticoid",
    "sij_injection",
    "prolotherapy",
    "prp",
    "rfa",
    "sij_fusion",
]
Outcome = Literal[
    "good",
    "partial",
    "inadequate",
    "primary_nonresponse",
    "secondary_nonresponse",
    "intolerance",
    "ongoing",
]
InjectionPurpose = Literal["diagnostic", "therapeutic"]
Condition = Literal[
    "ibd",
    "recurrent_uveitis",
    "psoriasis",
    "gi_bleed_risk",
    "ckd",
    "cardiovascular_disease",
    "heart_failure_severe",
    "demyelinating_disease",
    "active_infection",
    "latent_tb",
    "hepatitis_b",
    "pregnancy",
    "spinal_fusion",
    "advanced_spinal_osteoporosis",
    "severe_kyphosis",
    "advanced_hip_arthritis",
    "prior_lumbar_fusion",
    "anticoagulation",
    "mri_contraindicated",
]
RedFlag = Literal[
    "fever",
    "unexplained_weight_loss",
    "recent_trauma",
    "neurologic_deficit",
    "cancer_history",
    "bowel_bladder_dysfunction",
    "iv_drug_use",
    "immunosuppression",
    "sudden_pain_change",
]

# What a source suspects but has not confirmed ("suspected axSpA", "rule out SI joint pain").
Suspicion = Literal["axial_spondyloarthritis", "sacroiliac_joint_pain"]
# Lists of a case that may be partial: only what a source mentioned, not a full review.
PartialList = Literal["conditions", "red_flags", "treatments"]

Phenotype = Literal["inflammatory", "mechanical", "undetermined"]
Role = Literal["primary", "adjunct", "alternative", "next_if_fails", "monitoring", "diagnostic"]
Strength = Literal["strong", "conditional", "expert_opinion"]
SourceType = Literal["guideline", "research"]

DiagnosisAction = Literal[
    "xray_sij",
    "xray_spine",
    "mri_sij",
    "ct_sij",
    "crp_esr",
    "hla_b27_test",
    "diagnostic_sij_block",
    "confirmatory_sij_block",
    "evaluate_alternative_source",
    "refer_rheumatology",
    "urgent_evaluation",
    "pre_biologic_screening",
]
ConservativeAction = Literal[
    "nsaid_trial",
    "cox2_inhibitor",
    "physical_therapy",
    "manual_therapy",
    "sij_belt",
    "activity_modification",
    "continue_current_therapy",
]
DrugAction = Literal[
    "start_tnfi",
    "switch_tnfi",
    "switch_to_il17i",
    "start_il17i",
    "start_jaki",
    "assess_response_12w",
]
ProcedureAction = Literal[
    "therapeutic_sij_injection",
    "repeat_sij_injection",
    "prolotherapy",
    "prp",
    "rfa_lateral_branch",
    "repeat_rfa",
    "sij_fusion_mis",
    "total_hip_arthroplasty",
]
AvoidOnlyAction = Literal[
    "systemic_glucocorticoids",
    "methotrexate_monotherapy",
    "csdmard_axial",
    "add_csdmard_to_tnfi",
    "biosimilar_of_failed_tnfi",
    "taper_biologic",
    "stop_biologic",
    "etanercept",
    "spinal_manipulation",
    "spinal_osteotomy",
    "endoscopic_neurectomy",
    "passive_physical_therapy",
    "injection_without_imaging",
    "tnfi",
]
RecommendAction = Literal[DiagnosisAction, ConservativeAction, DrugAction, ProcedureAction]
Action = Literal[RecommendAction, AvoidOnlyAction]

Procedure = Literal[
    "diagnostic_sij_block",
    "therapeutic_sij_injection",
    "rfa_lateral_branch",
    "sij_fusion_mis",
    "start_tnfi",
    "switch_to_il17i",
]

PROCEDURES: frozenset[str] = frozenset(get_args(Procedure))
CONDITIONS: tuple[str, ...] = get_args(Condition)
RED_FLAGS: tuple[str, ...] = get_args(RedFlag)
RECOMMEND_ACTIONS: frozenset[str] = frozenset(get_args(RecommendAction))
AVOID_ONLY_ACTIONS: frozenset[str] = frozenset(get_args(AvoidOnlyAction))
ACTIONS: frozenset[str] = RECOMMEND_ACTIONS | AVOID_ONLY_ACTIONS
