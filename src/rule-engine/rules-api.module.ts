import { Module } from '@nestjs/common';
import { DistrictsModule } from 'src/districts/districts.module';
import { RuleEngineModule } from 'src/rule-engine/rule-engine.module';
import { RulesController } from 'src/rule-engine/rules.controller';
import { RulesApiService } from 'src/rule-engine/rules-api.service';

@Module({
  imports: [RuleEngineModule, DistrictsModule],
  controllers: [RulesController],
  providers: [RulesApiService],
})
export class RulesApiModule {}
