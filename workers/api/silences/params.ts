import { Silence } from "../../../schema/contracts/silences";
import { BusinessParams } from "../businesses/get";
import { itemRoutes } from "../items";
import { manage } from "../routes";

/** A business's silences: `/{id}/silences` and `/{id}/silences/{silenceId}`. */
export const silences = itemRoutes(manage.Silences, {
  ...{ collection: "/{id}/silences", owner: BusinessParams, schema: Silence, name: "silence" },
  ...{ id: "silenceId", example: "sil_01jz8k3m2qabcdefghjkmnpq" },
});
export const SilenceParams = silences.params;
